/**
 * @entrance/core/app: what an app imports through its adapter, one list for every framework, so
 * that `@entrance/express`, `@entrance/fastify` and `@entrance/hono` offer the same names
 * (each re-exports this module whole).
 * @module
 */
export type { Caller } from "./bearer/caller.js";
export type { BearerOptions } from "./bearer/policy.js";
export type { EntranceContext, EntranceUser, TemplateLocals } from "./context.js";
export type { DownstreamApi } from "./downstream/client.js";
export { EntranceError, type EntranceErrorCode } from "./errors/entrance-error.js";
export { escapeHtml, html } from "./http/html.js";
export { trustCertificateAuthority } from "./http/network.js";
export type { CspDirectives } from "./http/security-headers.js";
export type { SignInEvent } from "./options.js";
export type { SessionRecord, UserRecord } from "./storage/types.js";
export type { AccessToken } from "./tokens/acquire.js";
