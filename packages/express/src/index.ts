/**
 * @entrance/express: sign-in with Microsoft Entra ID for Express apps.
 * @module
 */

export type { SessionRecord, SignInEvent, UserRecord } from "@entrance/core";
export { EntranceError, trustCertificateAuthority } from "@entrance/core";
export { requireAuth, wantsJson } from "./guards.js";
export { type EntranceMiddleware, type ExpressEntranceOptions, entrance } from "./middleware.js";
export type { EntranceRequestContext } from "./types.js";
