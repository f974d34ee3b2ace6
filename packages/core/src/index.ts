/**
 * @entrance/core: sign-in with Microsoft Entra ID, sessions, users and tokens, framework-free
 * (`Request` in, `Response` out). Adapters such as @entrance/express build on it.
 * @module
 */
export {
  type AdapterGuardKit,
  type AdapterGuards,
  type AdapterOptions,
  adapterCore,
  adapterGuards,
  contextOrAnswer,
  entranceErrorAnswer,
  signInUrlFor,
} from "./adapter.js";
export type { Decision, Requirement } from "./authz/requirements.js";
export type { Caller } from "./bearer/caller.js";
export type { BearerOptions } from "./bearer/policy.js";
export {
  accountKindOf,
  CONSUMERS_TENANT_ID,
  isPersonalTenant,
} from "./config/accounts.js";
export { type B2cPolicies, policyAuthority } from "./config/b2c.js";
export { CLOUDS, type Cloud, type CloudName, cloudOfAuthority } from "./config/clouds.js";
export { type DatabaseTarget, parseDatabaseUrl } from "./config/database-url.js";
export type { DownstreamApiConfig } from "./config/downstream.js";
export { isCiamHost, isExternalId } from "./config/external-id.js";
export { authorityOf, isMultiTenant, loadConfig } from "./config/load.js";
export type { EntranceConfig, EntranceConfigInput } from "./config/schema.js";
export type { EntranceContext, EntranceUser, TemplateLocals } from "./context.js";
export type { DownstreamActor } from "./downstream/apis.js";
export type { DownstreamApi } from "./downstream/client.js";
export { createEntrance, Entrance } from "./entrance.js";
export {
  aadstsOf,
  EntranceError,
  type EntranceErrorCode,
  findEntranceError,
  type Interaction,
} from "./errors/entrance-error.js";
export { explainAadsts } from "./errors/explanations.js";
export { safeReturnTo } from "./flow/return-to.js";
export type { SignedIn } from "./flow/sessions.js";
export {
  authGuard,
  bearerGuard,
  type Guard,
  type GuardSpec,
  groupGuard,
  guardPerCore,
  permissionGuard,
  roleGuard,
  scopesGuard,
} from "./guards.js";
export type { Health, HealthCheck, HealthStatus } from "./health.js";
export { ERROR_STATUS, errorBody, prefersJson, statusOf } from "./http/errors.js";
export { escapeHtml, html, type Interpolation, raw, SafeHtml } from "./http/html.js";
export {
  createNetworkClient,
  type NetworkClient,
  type TrustedAuthority,
  trustCertificateAuthority,
} from "./http/network.js";
export {
  addHeadersOnWriteHead,
  nodeHeaders,
  nodeRequestLike,
  type RequestLike,
  readNodeBody,
  toWebRequest,
  webHeaders,
  writeWebResponse,
} from "./http/node.js";
export { type OriginSettings, type Peer, PublicOrigins } from "./http/origin.js";
export { fromThisSite } from "./http/same-site.js";
export type { CspDirectives } from "./http/security-headers.js";
export {
  absoluteRedirect,
  publicRequest,
  publicRequestLike,
  readWebBody,
  withHeaders,
} from "./http/web.js";
export { redactText } from "./log/logger.js";
export type {
  EntranceOptions,
  LogFields,
  Logger,
  RequestInfo,
  SignInDecision,
  SignInEvent,
} from "./options.js";
export { checkOwner, checkPage, ttlMilliseconds } from "./storage/arguments.js";
export { composeStores, type StoreSides } from "./storage/compose.js";
export { DEFAULT_DATABASE, defaultStore } from "./storage/default.js";
export { deferredStore } from "./storage/deferred.js";
export { type StoreHealth, storeHealth } from "./storage/health.js";
export { createMemoryStore, type MemoryStoreOptions } from "./storage/memory.js";
export {
  importedRedis,
  importedSql,
  type RedisModule,
  type RedisOpener,
  type SqlModule,
  type SqlOpener,
} from "./storage/peers.js";
export { readSignedIn } from "./storage/signed-in.js";
export type {
  AccountKind,
  AuditEvent,
  AuditEventType,
  AuditStore,
  DirectoryStore,
  EntranceStore,
  LockStore,
  SessionRecord,
  SessionSideStore,
  SessionStore,
  StoredSignedIn,
  TokenStore,
  TransactionOwner,
  TransactionStore,
  UserRecord,
  UserStore,
} from "./storage/types.js";
export { AUDIT_EVENT_TYPES, isAuditEventType } from "./storage/types.js";
export type { AccessToken, AcquireOptions, UserKey } from "./tokens/acquire.js";
export { b2cIssuerTenant } from "./tokens/b2c.js";
export type { CredentialKind } from "./tokens/credential.js";
export { type CredentialInspection, inspectCredential } from "./tokens/credential-check.js";
export { claimsChallenge } from "./tokens/graph.js";
export type { IdTokenClaims } from "./tokens/id-token.js";
export type { TokenSummary } from "./tokens/merge-cache.js";
export type { Actor, UserAdministration } from "./users.js";
export {
  answeringEntranceErrors,
  entranceRoutes,
  type GuardedWebHandler,
  type MountedWebHandler,
  mountedHandler,
  type NoncedPageHeaders,
  noncedPageHeaders,
  signedInOrAnswer,
  type WebAdapter,
  type WebGuard,
  type WebHandler,
  webGuards,
} from "./web-handlers.js";
