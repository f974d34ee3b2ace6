import type { Agent } from "node:https";
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import { Authorizer } from "./authz/authorizer.js";
import type { Decision, Requirement } from "./authz/requirements.js";
import type { Caller } from "./bearer/caller.js";
import { buildBearerGuard } from "./bearer/guard.js";
import { type BearerOptions, BearerPolicy } from "./bearer/policy.js";
import { BearerValidator } from "./bearer/validator.js";
import type { EntranceConfig } from "./config/schema.js";
import { parseScopes } from "./config/schema.js";
import {
  type ContextSession,
  contextSession,
  type EntranceContext,
  type EntranceUser,
  RequestContext,
} from "./context.js";
import { describeError } from "./errors/describe.js";
import { EntranceError, type Interaction } from "./errors/entrance-error.js";
import { safeReturnTo } from "./flow/return-to.js";
import { Routes } from "./flow/routes.js";
import type { SignedIn } from "./flow/sessions.js";
import { Sweeper } from "./flow/sweep.js";
import type { Guard, GuardSpec } from "./guards.js";
import { checkHealth, type Health, healthResponse } from "./health.js";
import { readCookie } from "./http/cookies.js";
import { createAgent } from "./http/network.js";
import type { RequestLike } from "./http/node.js";
import { Responder } from "./http/responses.js";
import { appSecurityHeaders, type CspDirectives } from "./http/security-headers.js";
import type { EntranceOptions, RequestInfo } from "./options.js";
import { createRuntime, type Runtime } from "./runtime.js";
import type { EntranceStore, UserRecord } from "./storage/types.js";
import {
  type AccessToken,
  type AcquireOptions,
  TokenAcquirer,
  type UserKey,
} from "./tokens/acquire.js";
import { AppTokens } from "./tokens/app-only.js";
import { graphClient, type TokenSource } from "./tokens/graph.js";
import { summarizeCache, type TokenSummary } from "./tokens/merge-cache.js";
import { OnBehalfOf } from "./tokens/on-behalf-of.js";
import { UserAdministration } from "./users.js";

/** How long an app page waits for Entra's metadata (the first time, or 30 s after a miss). */
const FORM_TARGETS_WAIT_MS = 1000;

/**
 * Entrance's core, for adapters and apps: Entrance's own routes as `Request` → `Response`
 * (`handle`), the per-request context (`context`), guards, acting for the user, authorization,
 * and the administration of users. A façade: each purpose lives in a module of its own (flow/,
 * authz/, http/, tokens/, users.ts), wired here.
 *
 * @example
 * const entrance = createEntrance({ store: await openSqlStore("file:.entrance/entrance.db") });
 * const response = await entrance.handle(request); // null when the path is not Entrance's
 */
export class Entrance {
  readonly config: EntranceConfig;
  /** What administrators do to users: store, caches and audit in one call each. */
  readonly users: UserAdministration;
  readonly #rt: Runtime;
  readonly #authorizer: Authorizer;
  readonly #acquirer: TokenAcquirer;
  readonly #onBehalfOf: OnBehalfOf;
  readonly #appTokens: AppTokens;
  readonly #responder: Responder;
  readonly #routes: Routes;
  readonly #sweeper: Sweeper;
  readonly #graphAgent: Agent;
  readonly #contextSessions = new WeakMap<SignedIn, ContextSession>();
  #bearer: BearerValidator | undefined;

  constructor(options: EntranceOptions) {
    const rt = createRuntime(options);
    this.#rt = rt;
    this.config = rt.config;
    this.#graphAgent = createAgent(options.trust);
    this.#acquirer = new TokenAcquirer(
      rt.config.clientId,
      (cache) => rt.client(cache),
      rt.tokens,
      rt.store.locks,
      (user, aadsts) => this.#signOutEverywhere(user, aadsts),
    );
    this.#onBehalfOf = new OnBehalfOf(
      rt.config.clientId,
      rt.store,
      rt.config.secrets,
      (tenantId, cache) => rt.tenantClient(tenantId, cache),
    );
    this.#appTokens = new AppTokens((tenantId) => rt.tenantClient(tenantId));
    this.#authorizer = new Authorizer(rt, (user, scopes) => this.graph(user, scopes));
    this.#responder = new Responder({
      logger: rt.logger,
      redirectUri: rt.redirectUri,
      clientId: rt.config.clientId,
      loginPath: rt.config.paths.login,
      loginUrl: (returnTo) => this.loginUrl(returnTo),
      loginUrlFor: (interaction, returnTo) => this.loginUrlFor(interaction, returnTo),
    });
    this.#sweeper = new Sweeper(rt.config, rt.store, rt.logger);
    this.#routes = new Routes(rt, options.onSignIn, this.#responder, this.#sweeper);
    this.users = new UserAdministration(rt);
  }

  /** The script that makes `<a data-entrance-popup>` links sign in through a popup. */
  get popupScriptUrl(): string {
    return `${this.#rt.assetPrefix}popup.js`;
  }

  /**
   * The store, for reading (the admin panel's lists). Change users and sessions through `users`,
   * which also forgets cached sessions and records the audit event.
   */
  get store(): EntranceStore {
    return this.#rt.store;
  }

  /** The redirect URI registered for the app: `{baseUrl}{paths.callback}`. */
  get redirectUri(): string {
    return this.#rt.redirectUri;
  }

  /** The sign-in link for a page, returning to `returnTo` (a same-origin path). */
  loginUrl(returnTo = "/"): string {
    return `${this.config.paths.login}?returnTo=${encodeURIComponent(safeReturnTo(returnTo, this.config.baseUrl))}`;
  }

  /** The sign-out link. */
  get logoutUrl(): string {
    return this.config.paths.logout;
  }

  /**
   * The sign-in URL that satisfies an `interaction_required` error: asks Entra for the missing
   * scopes (and claims), then returns to `returnTo`.
   */
  loginUrlFor(interaction: Interaction, returnTo = "/"): string {
    const query = new URLSearchParams({ returnTo: safeReturnTo(returnTo, this.config.baseUrl) });
    if (interaction.scopes.length) query.set("scopes", interaction.scopes.join(" "));
    if (interaction.claims) query.set("claims", interaction.claims);
    return `${this.config.paths.login}?${query}`;
  }

  /**
   * Whether `path` is one of Entrance's routes, which `handle` answers. A query is ignored, so an
   * adapter may pass the request's target as it came (`/auth/login?returnTo=…`).
   */
  ownsPath(path: string): boolean {
    const query = path.indexOf("?");
    return this.#routes.owns(query === -1 ? path : path.slice(0, query));
  }

  /** Handles Entrance's own paths; null for any other path, which the app then serves. */
  handle(request: Request, info: RequestInfo = {}): Promise<Response | null> {
    return this.#routes.handle(request, info);
  }

  /**
   * The signed-in session and user for a request's Cookie header, or null. The user's roles and
   * groups are those that count: none for a user of a tenant this app does not trust for
   * authorization (`authorization.trustedTenants`).
   */
  async getSession(cookieHeader: string | null | undefined): Promise<SignedIn | null> {
    const signedIn = await this.#rt.sessions.resolve(
      readCookie(cookieHeader, this.#rt.cookies.session),
    );
    if (!signedIn) return null;
    const user = await this.#authorizer.effective(signedIn.user);
    return user === signedIn.user ? signedIn : { ...signedIn, user };
  }

  /** The per-request context an adapter gives the app (see {@link EntranceContext}). */
  async context(request: RequestLike): Promise<EntranceContext> {
    return (
      this.contextNow(request) ??
      this.#contextOf(request, await this.getSession(request.headers.get("cookie")))
    );
  }

  /**
   * The context when it can be had without waiting — no session cookie, or a session cached in
   * process that needs no store write — else undefined (then `context`). Most requests of a
   * signed-in app take this path: no promise, nothing read.
   */
  contextNow(request: RequestLike): EntranceContext | undefined {
    const signedIn = this.#rt.sessions.peek(
      readCookie(request.headers.get("cookie"), this.#rt.cookies.session),
    );
    if (signedIn === undefined || (signedIn && !this.#authorizer.trust.known)) return undefined;
    if (!signedIn) return new RequestContext(this, request, null);
    const user = this.#authorizer.trust.apply(signedIn.user);
    return this.#contextOf(request, user === signedIn.user ? signedIn : { ...signedIn, user });
  }

  #contextOf(request: RequestLike, signedIn: SignedIn | null): EntranceContext {
    if (!signedIn) return new RequestContext(this, request, null);
    // A cached session is the same object for `session.cacheSeconds`: so is what the app sees.
    let seen = this.#contextSessions.get(signedIn);
    if (!seen) {
      seen = contextSession(signedIn, this.permissionsOf(signedIn.user));
      this.#contextSessions.set(signedIn, seen);
    }
    return new RequestContext(this, request, seen);
  }

  /**
   * Builds a guard for this core. Names are checked now: an unknown group name or permission
   * throws `config_invalid` here, at start-up, not on the first request.
   */
  guard(spec: GuardSpec): Guard {
    if (spec.kind === "bearer") return this.#bearerGuard(spec.options);
    if (spec.kind === "requirement") this.#authorizer.check(spec.requirement);
    const responder = this.#responder;
    const decide = async (context: EntranceContext, user: EntranceUser) => {
      try {
        if (spec.kind === "scopes") {
          await context.getAccessToken(spec.scopes);
        } else if (spec.kind === "requirement") {
          const decision = await this.authorize(user, spec.requirement);
          if (!decision.allowed)
            return responder.forbidden(context.request, user, decision.missing);
        }
        return null;
      } catch (error) {
        return responder.error(error, context.request);
      }
    };
    return (context) => {
      const { user } = context;
      if (!user) return responder.unauthenticated(context.request);
      return spec.kind === "auth" ? null : decide(context, user);
    };
  }

  /** A `requireBearer` guard; every one of this core shares the keys and the verified tokens. */
  #bearerGuard(options: BearerOptions): Guard {
    const { config, metadata, logger } = this.#rt;
    this.#bearer ??= new BearerValidator({
      authorityHost: config.authorityHost,
      clockSkew: config.clockSkew,
      metadata,
    });
    const trust = this.#authorizer.trust;
    const policy = new BearerPolicy(options, {
      clientId: config.clientId,
      trusts: (tenantId) => trust.trusts(tenantId),
      trustsNoTenant: trust.trustsNoTenant,
    });
    return buildBearerGuard(this.#bearer, policy, trust, logger);
  }

  /**
   * The answer to an error: `interaction_required` goes to Entra and back, `reauthentication_
   * required` gets a page that offers to sign in again, any other its status from the one table
   * (docs/errors.md), as JSON for API requests — never a stack trace.
   */
  errorResponse(error: unknown, request: RequestLike): Response {
    return this.#responder.error(error, request);
  }

  /**
   * Security headers for the app's own pages: the protections Entrance's pages have (CSP with
   * the identity provider's origins as form targets, so sign-out forms can reach Entra; no
   * framing; nosniff; referrer policy). `directives` replace the default CSP's, by name.
   *
   * @example
   * const headers = await entrance.securityHeaders({ "img-src": ["'self'", "https://cdn.example"] });
   */
  async securityHeaders(directives?: CspDirectives): Promise<Record<string, string>> {
    // Entra's form origins come from its metadata: waited for briefly, once, never for long.
    await this.#rt.metadata.documentWithin(FORM_TARGETS_WAIT_MS);
    return appSecurityHeaders(this.#rt.formTargets(), directives);
  }

  /**
   * An access token of the signed-in user for `scopes` (an array or a space-separated string),
   * from their partition, refreshed when expired. Throws `interaction_required` when Entra needs
   * the user (consent, a claims challenge: see `loginUrlFor`), and `reauthentication_required`
   * when their refresh token is dead (their stored tokens are then evicted and their sessions
   * end).
   *
   * @example
   * const { token } = await entrance.getAccessToken(user, ["Mail.Read"]);
   */
  getAccessToken(
    user: UserKey,
    scopes: readonly string[] | string,
    options: AcquireOptions = {},
  ): Promise<AccessToken> {
    return this.#acquirer.get(user, parseScopes(scopes), options);
  }

  /**
   * What tokens Entrance keeps for `user` — scopes and expiry of each access token, and whether a
   * refresh token is held — never the tokens themselves. Null when there are none.
   */
  async describeTokens(user: UserKey): Promise<TokenSummary | null> {
    const cache = await this.#rt.tokens.load(user.tenantId, user.objectId);
    return cache ? summarizeCache(cache) : null;
  }

  /** A Microsoft Graph client acting as `user`, with `scopes` (default: the sign-in scopes). */
  graph(user: UserKey, scopes: readonly string[] = this.config.scopes): GraphClient {
    return this.#graphClient(scopes, (wanted, options) =>
      this.getAccessToken(user, wanted, options),
    );
  }

  /**
   * A token for a downstream API (`scopes`: Graph's or another API's) as the user who called a
   * `requireBearer` route (on-behalf-of). `assertion` is the bearer token `caller` was validated
   * from. Cached per user in the token store (encrypted), asked for once at a time. Throws
   * `on_behalf_of_needs_user` for an app-only caller and `downstream_interaction_required` when
   * Entra needs the user (the answer to the API's caller is then a 401 step-up challenge).
   * Apps use the request context's `getAccessTokenOnBehalfOf`, which supplies both.
   */
  getAccessTokenOnBehalfOf(
    caller: Caller,
    assertion: string,
    scopes: readonly string[] | string,
    options: AcquireOptions = {},
  ): Promise<AccessToken> {
    return this.#onBehalfOf.get(caller, assertion, parseScopes(scopes), options);
  }

  /**
   * Microsoft Graph as the user who called a `requireBearer` route (on-behalf-of), with `scopes`
   * (default: the sign-in scopes). The same origin rules as {@link graph}.
   */
  graphOnBehalfOf(
    caller: Caller,
    assertion: string,
    scopes: readonly string[] = this.config.scopes,
  ): GraphClient {
    return this.#graphClient(scopes, (wanted, options) =>
      this.getAccessTokenOnBehalfOf(caller, assertion, wanted, options),
    );
  }

  /**
   * The app's own token (client credentials) for one resource's `.default` scope, e.g.
   * `https://graph.microsoft.com/.default` or `api://<client id>/.default`: its `roles` are the
   * application permissions an administrator granted. Kept in this process (never in the store)
   * until five minutes before expiry; one request at a time per (tenant, scopes). `tenantId`: the
   * tenant to act in, required when the app is multi-tenant (`organizations`, `common`).
   *
   * @example
   * const { token } = await entrance.getAppToken("api://orders-api/.default");
   */
  getAppToken(
    scopes: readonly string[] | string,
    options: AcquireOptions & { readonly tenantId?: string } = {},
  ): Promise<AccessToken> {
    let tenantId: string;
    try {
      tenantId = this.#appTenant(options.tenantId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#appTokens.get(tenantId, parseScopes(scopes), options);
  }

  /**
   * Microsoft Graph as the app itself (application permissions), with the same origin rules as
   * {@link graph}. `scopes` default to `https://graph.microsoft.com/.default` (a national cloud's
   * Graph names its own resource); `tenantId` as for {@link getAppToken}.
   *
   * @example
   * const user = await entrance.appGraph().api(`/users/${id}`).get();
   */
  appGraph(
    options: { readonly tenantId?: string; readonly scopes?: readonly string[] } = {},
  ): GraphClient {
    const tenantId = this.#appTenant(options.tenantId);
    return this.#graphClient(
      options.scopes ?? ["https://graph.microsoft.com/.default"],
      (wanted, acquire) => this.#appTokens.get(tenantId, wanted, acquire),
    );
  }

  /** A Graph client with this core's Graph origin, allowed origins and agent. */
  #graphClient(scopes: readonly string[], tokens: TokenSource): GraphClient {
    return graphClient({
      baseUrl: this.config.graphBaseUrl,
      allowedOrigins: this.config.graphAllowedOrigins,
      scopes,
      tokens,
      agent: this.#graphAgent,
    });
  }

  /** The tenant an app-only token is asked in: the configured one, or the one given. */
  #appTenant(given: string | undefined): string {
    const configured = this.config.tenantId.toLowerCase();
    if (given) return given;
    if (configured !== "organizations" && configured !== "common") return this.config.tenantId;
    throw new EntranceError(
      "config_invalid",
      `An app acts as itself in one tenant: pass tenantId to getAppToken/appGraph (this app's tenantId is "${this.config.tenantId}").`,
    );
  }

  /**
   * The user's group ids: from the token, or — when it carried the overage marker — resolved
   * through Graph and kept for `authorization.groupCacheSeconds`. None for a user of a tenant the
   * app does not trust. Throws `groups_unavailable` when Graph fails.
   */
  groupsOf(user: UserRecord): Promise<readonly string[]> {
    return this.#authorizer.groupsOf(user);
  }

  /** The app permissions the user holds now, with no Graph call. */
  permissionsOf(user: UserRecord): string[] {
    return this.#authorizer.permissionsOf(user);
  }

  /** Whether `user` meets `requirement`; resolves overage groups only when it needs groups. */
  authorize(user: UserRecord, requirement: Requirement): Promise<Decision> {
    return this.#authorizer.authorize(user, requirement);
  }

  /** Validates a requirement's group names and permissions against the configuration. */
  checkRequirement(requirement: Requirement): void {
    this.#authorizer.check(requirement);
  }

  /**
   * True for a multi-tenant app (`organizations`/`common`) with no `authorization.trustedTenants`:
   * no user's app roles or groups count, so role guards and the admin panel let nobody in.
   */
  get trustsNoTenant(): boolean {
    return this.#authorizer.trust.trustsNoTenant;
  }

  /** Whether app roles and groups of users of `tenantId` count (`authorization.trustedTenants`). */
  trustsTenant(tenantId: string): boolean {
    return this.#authorizer.trust.trusts(tenantId);
  }

  /**
   * Whether the stores and the identity provider answer, with latencies: for a health route
   * (`healthResponse()` gives it as 200/503 JSON). Each check is bounded (`storeTimeoutMs`).
   */
  health(): Promise<Health> {
    return checkHealth(this.#rt);
  }

  /** {@link health} as a Response: 200 when all answer, 503 otherwise; JSON, never cached. */
  async healthResponse(): Promise<Response> {
    return healthResponse(await this.health());
  }

  /**
   * Removes expired sign-ins and sessions and the audit events past their retention
   * (`audit.retentionDays`, `audit.maxEvents`) now. Entrance also does this by itself, at most
   * every ten minutes, as requests come in.
   */
  sweep(): Promise<void> {
    return this.#sweeper.sweep();
  }

  /** Releases the store. */
  close(): Promise<void> {
    return this.#rt.store.close();
  }

  /**
   * Entra refused the user's refresh token for good (revoked, account disabled, password
   * changed): their sessions here end too, on every device, so that the app stops trusting a
   * sign-in that Entra no longer does.
   */
  async #signOutEverywhere(user: UserKey, aadsts: number): Promise<void> {
    const { store, sessions, logger, trail } = this.#rt;
    let ended: number;
    try {
      ended = await store.sessions.deleteByUser(user.tenantId, user.objectId);
    } catch (error) {
      // The caller still learns that the user must sign in again; the sessions end at the latest
      // when their next token request fails the same way.
      logger.error("entrance: could not end the sessions of a revoked user", describeError(error));
      return;
    } finally {
      sessions.forgetUser(user.tenantId, user.objectId);
    }
    await trail.record({
      type: "session_ended",
      tenantId: user.tenantId,
      objectId: user.objectId,
      detail: `Entra rejected the refresh token (AADSTS${aadsts}): ${ended} session(s) ended`,
      aadsts,
      ip: null,
    });
  }
}

/** Creates the core. Validates the configuration at once: a bad value throws `config_invalid`. */
export function createEntrance(options: EntranceOptions): Entrance {
  return new Entrance(options);
}
