/**
 * @entrance/fastify: sign-in with Microsoft Entra ID for Fastify apps — a plugin translating
 * between Fastify and @entrance/core.
 * @module
 */
export type {
  AccessToken,
  CspDirectives,
  EntranceContext,
  EntranceUser,
  SessionRecord,
  SignInEvent,
} from "@entrance/core";
export {
  EntranceError,
  escapeHtml,
  html,
  trustCertificateAuthority,
  type UserRecord,
} from "@entrance/core";
export {
  type FastifyGuards,
  requireAuth,
  requireGroup,
  requirePermission,
  requireRole,
  requireScopes,
} from "./guards.js";
export { entrance, type FastifyEntrance, type FastifyEntranceOptions } from "./plugin.js";
export { handleEntranceErrors, securityHeaders, sendResponse } from "./reply.js";
export type { FastifyLocals } from "./types.js";
