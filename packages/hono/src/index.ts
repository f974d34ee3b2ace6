/**
 * @entrance/hono: sign-in with Microsoft Entra ID for Hono apps on Node.js — a translator
 * between Hono and @entrance/core.
 * @module
 */
export * from "@entrance/core/app";
export {
  type HonoGuards,
  requireAuth,
  requireBearer,
  requireGroup,
  requirePermission,
  requireRole,
  requireScopes,
} from "./guards.js";
export {
  type EntranceEnv,
  type EntranceMiddleware,
  entrance,
  type HonoEntranceOptions,
} from "./middleware.js";
export { clientIp, originOf, webRequest } from "./request.js";
export { handleEntranceErrors, securityHeaders } from "./responses.js";
