/**
 * @entrance/express: sign-in with Microsoft Entra ID for Express apps — a translator between
 * Express and @entrance/core.
 * @module
 */
export * from "@entrance/core/app";
export { AuthenticationHandlerOptions } from "@microsoft/microsoft-graph-client";
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
export { handleEntranceErrors, securityHeaders } from "./responses.js";
export type { EntranceRequestContext } from "./types.js";
