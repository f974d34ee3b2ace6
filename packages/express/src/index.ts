/**
 * @entrance/express: sign-in with Microsoft Entra ID for Express apps.
 * @module
 */

export type {
  AccessToken,
  CspDirectives,
  SessionRecord,
  SignInEvent,
  UserRecord,
} from "@entrance/core";
export { EntranceError, trustCertificateAuthority } from "@entrance/core";
export { AuthenticationHandlerOptions } from "@microsoft/microsoft-graph-client";
export { handleEntranceErrors } from "./errors.js";
export {
  requireAuth,
  requireGroup,
  requirePermission,
  requireRole,
  requireScopes,
} from "./guards.js";
export { type EntranceMiddleware, type ExpressEntranceOptions, entrance } from "./middleware.js";
export { wantsJson } from "./negotiate.js";
export { securityHeaders } from "./security.js";
export type { EntranceRequestContext, EntranceUser } from "./types.js";
