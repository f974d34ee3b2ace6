import { ActingCore } from "./acting.js";
import { Authorizer } from "./authz/authorizer.js";
import type { Decision, Requirement } from "./authz/requirements.js";
import { CoreBearer } from "./bearer/for-core.js";
import { isExternalId } from "./config/external-id.js";
import { type EntranceContext, type EntranceUser, RequestContext } from "./context.js";
import { SessionViews } from "./context-session.js";
import type { Interaction } from "./errors/entrance-error.js";
import { safeReturnTo } from "./flow/return-to.js";
import { hostNotAllowed, Routes } from "./flow/routes.js";
import type { SignedIn } from "./flow/sessions.js";
import { Sweeper } from "./flow/sweep.js";
import type { Guard, GuardSpec } from "./guards.js";
import { checkHealth, type Health, healthResponse } from "./health.js";
import { readCookie } from "./http/cookies.js";
import type { RequestLike } from "./http/node.js";
import type { PublicOrigins } from "./http/origin.js";
import { Responder } from "./http/responses.js";
import {
  AppSecurityHeaders,
  appSecurityHeaders,
  type CspDirectives,
} from "./http/security-headers.js";
import type { EntranceOptions, Logger, RequestInfo } from "./options.js";
import { createRuntime } from "./runtime.js";
import type { EntranceStore, UserRecord } from "./storage/types.js";
import { UserAdministration } from "./users.js";

/** How long an app page waits for Entra's metadata (the first time, or 30 s after a miss). */
const FORM_TARGETS_WAIT_MS = 1000;

/**
 * Entrance's core, for adapters and apps: Entrance's own routes as `Request` → `Response`
 * (`handle`), the per-request context (`context`), guards, acting for the user, authorization,
 * and the administration of users. A façade: each purpose lives in a module of its own (flow/,
 * authz/, http/, tokens/, users.ts), wired here; acting as the user or the app — tokens, Graph,
 * downstream APIs — is inherited from `ActingCore` (acting.ts).
 *
 * @example
 * const entrance = createEntrance({ store: await openSqlStore("file:.entrance/entrance.db") });
 * const response = await entrance.handle(request); // null when the path is not Entrance's
 */
export class Entrance extends ActingCore {
  /** What administrators do to users: store, caches and audit in one call each. */
  readonly users: UserAdministration;
  readonly #authorizer: Authorizer;
  readonly #responder: Responder;
  readonly #routes: Routes;
  readonly #sweeper: Sweeper;
  /** The app's security headers per `directives`, for the metadata they were made from. */
  readonly #appHeaders = new AppSecurityHeaders();
  /** What the app sees of each session (see contextNow). */
  readonly #views: SessionViews;
  /** `requireBearer`: every bearer guard of this core shares its keys and verified tokens. */
  readonly #bearer: CoreBearer;

  constructor(options: EntranceOptions) {
    const rt = createRuntime(options);
    super(rt, options.trust);
    this.#authorizer = new Authorizer(rt, (user, scopes) => this.graph(user, scopes));
    this.#responder = new Responder({
      logger: rt.logger,
      redirectUri: (request) => {
        const origin = rt.origins.checked(request.url);
        return origin === null ? rt.redirectUri : `${origin}${rt.config.paths.callback}`;
      },
      clientId: rt.config.clientId,
      loginPath: rt.config.paths.login,
      loginUrl: (returnTo) => this.loginUrl(returnTo),
      loginUrlFor: (interaction, returnTo) => this.loginUrlFor(interaction, returnTo),
    });
    this.#sweeper = new Sweeper(rt.config, rt.store, rt.logger);
    this.#routes = new Routes(rt, options.onSignIn, this.#responder, this.#sweeper);
    this.users = new UserAdministration(rt);
    this.#bearer = new CoreBearer(rt, this.#authorizer.trust);
    this.#views = new SessionViews(
      (user) => this.permissionsOf(user),
      rt.config.session.cacheSeconds,
    );
  }

  /** The script that makes `<a data-entrance-popup>` links sign in through a popup. */
  get popupScriptUrl(): string {
    return `${this.rt.assetPrefix}popup.js`;
  }

  /**
   * The store, for reading (the admin panel's lists). Change users and sessions through `users`,
   * which also forgets cached sessions and records the audit event.
   */
  get store(): EntranceStore {
    return this.rt.store;
  }

  /**
   * The app's logger (the `logger` option, or the console default) behind Entrance's redaction:
   * for parts of Entrance outside the core (the admin panel), so that they log the same way.
   */
  get logger(): Required<Logger> {
    return this.rt.logger;
  }

  /**
   * The redirect URI registered for the app: `{baseUrl}{paths.callback}`; without `baseUrl`, the
   * first allowed host's (each allowed host has its own: see `redirectUris`).
   */
  get redirectUri(): string {
    return this.rt.redirectUri;
  }

  /** Every redirect URI the app uses, one per origin it answers on: each must be registered. */
  get redirectUris(): readonly string[] {
    return this.rt.origins.all.map((origin) => `${origin}${this.config.paths.callback}`);
  }

  /**
   * The app's public origins: `baseUrl`, or each request's, read from its connection and
   * headers and checked against `allowedHosts`. Adapters put requests on `ofNode`/`ofWeb`.
   */
  get origins(): PublicOrigins {
    return this.rt.origins;
  }

  /**
   * Core's 400 (`host_not_allowed`) for a request on a host the app does not answer on; null
   * for any other, and always with `baseUrl` set.
   */
  hostRefusal(request: RequestLike): Response | null {
    if (this.rt.origins.fixed !== undefined || this.rt.origins.checked(request.url) !== null) {
      return null;
    }
    this.rt.hostRefusals.note(request.headers);
    return this.#responder.error(hostNotAllowed(), request);
  }

  /** The sign-in link for a page, returning to `returnTo` (a same-origin path). */
  loginUrl(returnTo = "/"): string {
    return `${this.config.paths.login}?returnTo=${encodeURIComponent(safeReturnTo(returnTo, this.rt.redirectUri))}`;
  }

  /**
   * The sign-up link for a page, returning to `returnTo`: for an Entra External ID app, Entra's
   * sign-up page (`prompt=create`); for any other app, which has no sign-up, the sign-in link.
   */
  signUpUrl(returnTo = "/"): string {
    const login = this.loginUrl(returnTo);
    return isExternalId(this.config) ? `${login}&prompt=create` : login;
  }

  /**
   * The Azure AD B2C profile-edit link, coming back to `returnTo`: it runs the profile-edit policy
   * and refreshes the signed-in user from its ID token. Null when `b2c.editProfile` is not set.
   */
  profileUrl(returnTo = "/"): string | null {
    if (!this.config.b2c?.editProfile) return null;
    return `${this.config.paths.profile}?returnTo=${encodeURIComponent(safeReturnTo(returnTo, this.rt.redirectUri))}`;
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
    const query = new URLSearchParams({ returnTo: safeReturnTo(returnTo, this.rt.redirectUri) });
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
    const signedIn = await this.rt.sessions.resolve(
      readCookie(cookieHeader, this.rt.cookies.session),
    );
    if (!signedIn) return null;
    const user = await this.#authorizer.effective(signedIn.user);
    return user === signedIn.user ? signedIn : { ...signedIn, user };
  }

  /** The per-request context an adapter gives the app (see {@link EntranceContext}). */
  async context(request: RequestLike): Promise<EntranceContext> {
    return this.contextNow(request) ?? this.contextFromStore(request);
  }

  /**
   * The context by way of the store, for a request {@link contextNow} could not answer: what an
   * adapter that asked `contextNow` already calls, so as not to read the cookie and look in the
   * session cache twice. A public method, not a module-private function: a bundler (Next.js) may
   * load two copies of this module, and a core made by one must serve the other's callers.
   */
  async contextFromStore(request: RequestLike): Promise<EntranceContext> {
    return this.#contextOf(request, await this.getSession(request.headers.get("cookie")));
  }

  /**
   * The context when it can be had without waiting — no session cookie, or a session cached in
   * process that needs no store write — else undefined (then `context`). Most requests of a
   * signed-in app take this path: no promise, nothing read.
   */
  contextNow(request: RequestLike): EntranceContext | undefined {
    const signedIn = this.rt.sessions.peek(
      readCookie(request.headers.get("cookie"), this.rt.cookies.session),
    );
    if (signedIn === undefined || (signedIn && !this.#authorizer.trust.known)) return undefined;
    if (!signedIn) return new RequestContext(this, request, null);
    return new RequestContext(
      this,
      request,
      this.#views.ofCached(signedIn, this.#authorizer.trust),
    );
  }

  #contextOf(request: RequestLike, signedIn: SignedIn | null): EntranceContext {
    return new RequestContext(this, request, signedIn && this.#views.of(signedIn));
  }

  /**
   * Builds a guard for this core. Names are checked now: an unknown group name or permission
   * throws `config_invalid` here, at start-up, not on the first request.
   */
  guard(spec: GuardSpec): Guard {
    if (spec.kind === "bearer") return this.#bearer.guard(spec.options);
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
    const document = await this.rt.metadata.documentWithin(FORM_TARGETS_WAIT_MS);
    if (!document) return appSecurityHeaders(this.rt.formTargets(), directives);
    return this.#appHeaders.of(document, () => this.rt.formTargets(), directives);
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
   * (`healthResponse()` gives it as 200/503 JSON). Each store check is bounded (`storeTimeoutMs`),
   * the identity provider's by 5 s, and its answer is reused for 10 s.
   */
  health(): Promise<Health> {
    return checkHealth(this.rt);
  }

  /**
   * {@link health} as a Response for a load balancer: 503 when a store does not answer, else 200
   * (with `status: "warn"` when only the identity provider does not); JSON, never cached.
   */
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
    return this.rt.store.close();
  }
}

/** Creates the core. Validates the configuration at once: a bad value throws `config_invalid`. */
export function createEntrance(options: EntranceOptions): Entrance {
  return new Entrance(options);
}
