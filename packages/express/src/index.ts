/**
 * @entrance/express: sign-in with Microsoft Entra ID for Express apps — a translator between
 * Express and @entrance/core.
 * @module
 */
export type {
  AccessToken,
  BearerOptions,
  Caller,
  CspDirectives,
  DownstreamApi,
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
export { AuthenticationHandlerOptions } from "@microsoft/microsoft-graph-client";
export { handleEntranceErrors } from "./errors.js";
export {
  type ExpressGuards,
  requireAuth,
  requireBearer,
  requireGroup,
  requirePermission,
  requireRole,
  requireScopes,
} from "./guards.js";
export { type EntranceMiddleware, type ExpressEntranceOptions, entrance } from "./middleware.js";
export { securityHeaders } from "./security.js";
export type { EntranceRequestContext, EntranceUser } from "./types.js";
