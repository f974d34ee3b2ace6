/**
 * @entrance/fastify: sign-in with Microsoft Entra ID for Fastify apps — a plugin translating
 * between Fastify and @entrance/core.
 * @module
 */
export * from "@entrance/core/app";
export {
  type FastifyGuards,
  requireAuth,
  requireBearer,
  requireGroup,
  requirePermission,
  requireRole,
  requireScopes,
} from "./guards.js";
export { entrance, type FastifyEntrance, type FastifyEntranceOptions } from "./plugin.js";
export { handleEntranceErrors, securityHeaders, sendResponse } from "./reply.js";
export type { FastifyLocals } from "./types.js";
