import { createHash, randomBytes } from "node:crypto";
import type { Agent } from "node:https";
import { type AuthenticationResult, CryptoProvider } from "@azure/msal-node";
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import { fetchGroups, freshResolution } from "./authz/groups.js";
import {
  checkRequirement,
  type Decision,
  decide,
  permissionsOf,
  type Requirement,
} from "./authz/requirements.js";
import { TenantTrust } from "./authz/trust.js";
import { authorityOf, isMultiTenant, loadConfig } from "./config/load.js";
import type { EntranceConfig, EntranceConfigInput } from "./config/schema.js";
import { scopesSchema } from "./config/schema.js";
import { describeError } from "./errors/describe.js";
import { aadstsOf, EntranceError, findEntranceError } from "./errors/entrance-error.js";
import { explainAadsts } from "./errors/explanations.js";
import { AuditTrail, type FlowEvent } from "./flow/audit.js";
import { issuerMatches } from "./flow/issuer.js";
import {
  errorPage,
  logoutConfirmPage,
  PAGE_HEADERS,
  POPUP_COMPLETE_SCRIPT,
  POPUP_SCRIPT,
  popupCompletePage,
} from "./flow/pages.js";
import { safeReturnTo } from "./flow/return-to.js";
import { Sessions, type SignedIn } from "./flow/sessions.js";
import { Sweeper } from "./flow/sweep.js";
import { type LoginTransaction, parseTransaction } from "./flow/transaction.js";
import { cookieNames, readCookie, serializeCookie } from "./http/cookies.js";
import { errorBody, prefersJson, statusOf } from "./http/errors.js";
import {
  createAgent,
  createNetworkClient,
  type NetworkClient,
  type TrustedAuthority,
} from "./http/network.js";
import {
  appSecurityHeaders,
  type CspDirectives,
  entrancePageHeaders,
} from "./http/security-headers.js";
import type { EntranceStore, UserRecord } from "./storage/types.js";
import {
  type AccessToken,
  type AcquireOptions,
  TokenAcquirer,
  type UserKey,
} from "./tokens/acquire.js";
import { graphClient } from "./tokens/graph.js";
import { type IdTokenClaims, validateIdToken } from "./tokens/id-token.js";
import { mergeCaches, summarizeCache, type TokenSummary } from "./tokens/merge-cache.js";
import { Metadata } from "./tokens/metadata.js";
import { msalClient } from "./tokens/msal.js";
import { TokenPartitions } from "./tokens/partitions.js";

/** What the onSignIn hook receives. Tokens are for this request only: never log or store them. */
export interface SignInEvent {
  /** The user as it will be stored (first sign-in time kept from an earlier record). */
  readonly user: UserRecord;
  readonly claims: IdTokenClaims;
  readonly tokens: {
    readonly accessToken: string;
    readonly idToken: string;
    readonly expiresOn: Date | null;
    readonly scopes: readonly string[];
  };
}

/** `false` or `{ refuse: "reason shown to the user" }` refuses the sign-in. */
export type SignInDecision = undefined | boolean | { readonly refuse: string };

export interface EntranceOptions extends Partial<EntranceConfigInput> {
  /** Where users, sessions, tokens and login transactions are kept. */
  readonly store: EntranceStore;
  /** Trust one more certificate authority for calls to Entra (the local emulator's). */
  readonly trust?: TrustedAuthority;
  /** Runs after the ID token is validated and before anything is stored; may refuse. */
  readonly onSignIn?: (event: SignInEvent) => SignInDecision | Promise<SignInDecision>;
  /** Where failures are reported (never with tokens or secrets); default `console`. */
  readonly logger?: Pick<Console, "warn" | "error">;
  /** The environment to read AZURE_* and ENTRANCE_* from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Per-request facts an adapter knows and a `Request` does not carry. */
export interface RequestContext {
  readonly ip?: string | null;
}

const ASSETS: ReadonlyMap<string, string> = new Map([
  ["popup.js", POPUP_SCRIPT],
  ["popup-complete.js", POPUP_COMPLETE_SCRIPT],
]);

/**
 * Entrance's core: the sign-in, callback, sign-out and front-channel logout endpoints as
 * `Request` → `Response`, and the session lookup adapters call on every request.
 *
 * @example
 * const entrance = createEntrance({ store: await openSqlStore("file:.entrance/entrance.db") });
 * const response = await entrance.handle(request); // null when the path is not Entrance's
 */
export class Entrance {
  readonly config: EntranceConfig;
  readonly #store: EntranceStore;
  readonly #network: NetworkClient;
  readonly #metadata: Metadata;
  readonly #sessions: Sessions;
  readonly #tokens: TokenPartitions;
  readonly #options: EntranceOptions;
  readonly #logger: Pick<Console, "warn" | "error">;
  readonly #cookies: ReturnType<typeof cookieNames>;
  readonly #secure: boolean;
  readonly #authority: string;
  readonly #pkce = new CryptoProvider();
  readonly #resolving = new Map<string, Promise<readonly string[]>>();
  readonly #acquirer: TokenAcquirer;
  readonly #graphAgent: Agent;
  readonly #tenants: TenantTrust;
  #knownFormTargets: readonly string[] | null = null;
  readonly #trail: AuditTrail;
  readonly #sweeper: Sweeper;
  /** Entrance's scripts are served next to the login path, e.g. `/auth/popup.js`. */
  readonly #assetPrefix: string;

  constructor(options: EntranceOptions) {
    const { store, trust, onSignIn, logger, env, ...settings } = options;
    this.config = loadConfig(settings, env);
    this.#options = options;
    this.#logger = logger ?? console;
    this.#store = store;
    this.#authority = authorityOf(this.config);
    this.#network = createNetworkClient({ trust });
    this.#metadata = new Metadata(this.#authority, this.#network);
    this.#sessions = new Sessions(this.config, store, () => Date.now());
    this.#tokens = new TokenPartitions(store, this.config.secrets);
    this.#acquirer = new TokenAcquirer(
      async (cache) => this.#client(cache),
      this.#tokens,
      store.locks,
      (user, aadsts) => this.#signOutEverywhere(user, aadsts),
    );
    this.#graphAgent = createAgent(trust);
    this.#secure = this.config.baseUrl.startsWith("https:");
    this.#cookies = cookieNames(this.#secure);
    this.#assetPrefix = `${this.config.paths.login.replace(/\/[^/]*$/, "")}/`;
    this.#tenants = new TenantTrust(this.config, () => this.#expectedTenant());
    this.#trail = new AuditTrail(store.audit, this.#logger);
    this.#sweeper = new Sweeper(this.config, store, this.#logger);
    const { permissions, groups } = this.config.authorization;
    if (
      this.#tenants.trustsNoTenant &&
      (Object.keys(permissions).length > 0 || Object.keys(groups).length > 0)
    ) {
      this.#logger.warn(
        "entrance: this multi-tenant app trusts no tenant's app roles or groups, so authorization.permissions and authorization.groups grant nothing. " +
          "Set authorization.trustedTenants (ENTRANCE_TRUSTED_TENANTS) to the tenant ids whose role assignments you control.",
      );
    }
  }

  /**
   * True for a multi-tenant app (`organizations`/`common`) with no `authorization.trustedTenants`:
   * no user's app roles or groups count, so role guards and the admin panel let nobody in.
   */
  get trustsNoTenant(): boolean {
    return this.#tenants.trustsNoTenant;
  }

  /** Whether app roles and groups of users of `tenantId` count (`authorization.trustedTenants`). */
  trustsTenant(tenantId: string): boolean {
    return this.#tenants.trusts(tenantId);
  }

  /** The script that makes `<a data-entrance-popup>` links sign in through a popup. */
  get popupScriptUrl(): string {
    return `${this.#assetPrefix}popup.js`;
  }

  /**
   * The store, for tools built on the core (the admin panel). Ending sessions or disabling users
   * through it should be followed by `forgetUser`, so that this instance's session cache agrees.
   */
  get store(): EntranceStore {
    return this.#store;
  }

  /** Drops this instance's cached sessions of a user (after ending them or disabling the user). */
  forgetUser(tenantId: string, objectId: string): void {
    this.#sessions.forgetUser(tenantId, objectId);
  }

  /** Drops this instance's cached session for one session id hash (after ending it). */
  forgetSession(idHash: string): void {
    this.#sessions.forgetSession(idHash);
  }

  /**
   * The user's group ids: from the token, or — when it carried the overage marker — resolved
   * through Graph (`/me/transitiveMemberOf`, paged), kept in the store for
   * `authorization.groupCacheSeconds`. Throws `groups_unavailable` when Graph fails (nothing is
   * cached then), or `interaction_required` when the Graph token needs consent.
   */
  async groupsOf(record: UserRecord): Promise<readonly string[]> {
    const user = this.#tenants.apply(record);
    if (!user.groupsOverage) return user.groups;
    const { groupCacheSeconds, groupScopes } = this.config.authorization;
    const cached = freshResolution(user, groupCacheSeconds);
    if (cached) return cached;
    const key = `${user.objectId}.${user.tenantId}`;
    let running = this.#resolving.get(key);
    if (!running) {
      running = (async () => {
        const stored = await this.#store.users.get(user.tenantId, user.objectId);
        const storedFresh = stored ? freshResolution(stored, groupCacheSeconds) : null;
        if (storedFresh) return storedFresh;
        const ids = await fetchGroups(this.graph(user, groupScopes));
        await this.#store.users.setResolvedGroups(user.tenantId, user.objectId, {
          ids,
          resolvedAt: new Date(),
        });
        this.#sessions.forgetUser(user.tenantId, user.objectId);
        return ids;
      })().finally(() => this.#resolving.delete(key));
      this.#resolving.set(key, running);
    }
    return running;
  }

  /**
   * The app permissions the user holds now, from roles, token groups and groups already resolved;
   * no Graph call (see `groupsOf` and `authorize` for that).
   */
  permissionsOf(record: UserRecord): string[] {
    const user = this.#tenants.apply(record);
    const { authorization } = this.config;
    const groups = user.groupsOverage
      ? (freshResolution(user, authorization.groupCacheSeconds) ?? [])
      : user.groups;
    return permissionsOf(authorization, user, groups);
  }

  /** Whether `user` meets `requirement`; resolves overage groups only when the requirement needs groups. */
  async authorize(record: UserRecord, requirement: Requirement): Promise<Decision> {
    await this.#tenants.ready();
    const user = this.#tenants.apply(record);
    const needsGroups = Boolean(requirement.groups?.length || requirement.permissions?.length);
    const groups = needsGroups ? await this.groupsOf(user) : user.groups;
    return decide(this.config.authorization, user, groups, requirement);
  }

  /** Validates a requirement's group names and permissions against the configuration. */
  checkRequirement(requirement: Requirement): void {
    checkRequirement(this.config.authorization, requirement);
  }

  /** The redirect URI registered for the app: `{baseUrl}{paths.callback}`. */
  get redirectUri(): string {
    return `${this.config.baseUrl}${this.config.paths.callback}`;
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
   * The signed-in session and user for a request's Cookie header, or null. The user's roles and
   * groups are those that count: none for a user of a tenant this app does not trust for
   * authorization (`authorization.trustedTenants`).
   */
  async getSession(cookieHeader: string | null | undefined): Promise<SignedIn | null> {
    const signedIn = await this.#sessions.resolve(readCookie(cookieHeader, this.#cookies.session));
    if (!signedIn) return null;
    await this.#tenants.ready();
    const user = this.#tenants.apply(signedIn.user);
    return user === signedIn.user ? signedIn : { ...signedIn, user };
  }

  /**
   * An access token of the signed-in user for `scopes` (an array or a space-separated string),
   * from their partition, refreshed when expired. Throws `interaction_required` when Entra needs
   * the user (consent, a claims challenge: see `loginUrlFor`), and `reauthentication_required`
   * when their refresh token is dead (their stored tokens are then evicted).
   *
   * @example
   * const { token } = await entrance.getAccessToken(user, ["Mail.Read"]);
   */
  getAccessToken(
    user: UserKey,
    scopes: readonly string[] | string,
    options: AcquireOptions = {},
  ): Promise<AccessToken> {
    return this.#acquirer.get(user, scopesSchema.parse(scopes), options);
  }

  /**
   * What tokens Entrance keeps for `user` — scopes and expiry of each access token, and whether a
   * refresh token is held — never the tokens themselves. Null when there are none.
   */
  async describeTokens(user: UserKey): Promise<TokenSummary | null> {
    const cache = await this.#tokens.load(user.tenantId, user.objectId);
    return cache ? summarizeCache(cache) : null;
  }

  /** A Microsoft Graph client acting as `user`, with `scopes` (default: the sign-in scopes). */
  graph(user: UserKey, scopes: readonly string[] = this.config.scopes): GraphClient {
    return graphClient({
      baseUrl: this.config.graphBaseUrl,
      allowedOrigins: this.config.graphAllowedOrigins,
      scopes,
      tokens: (wanted, options) => this.getAccessToken(user, wanted, options),
      agent: this.#graphAgent,
    });
  }

  /**
   * The sign-in URL that satisfies an `interaction_required` error: asks Entra for the missing
   * scopes (and claims), then returns to `returnTo`.
   */
  loginUrlFor(
    interaction: { scopes: readonly string[]; claims?: string | undefined },
    returnTo = "/",
  ): string {
    const query = new URLSearchParams({ returnTo: safeReturnTo(returnTo, this.config.baseUrl) });
    if (interaction.scopes.length) query.set("scopes", interaction.scopes.join(" "));
    if (interaction.claims) query.set("claims", interaction.claims);
    return `${this.config.paths.login}?${query}`;
  }

  /** Handles Entrance's own paths; null for any other path, which the app then serves. */
  async handle(request: Request, context: RequestContext = {}): Promise<Response | null> {
    const url = new URL(request.url);
    const { paths } = this.config;
    const method = request.method;
    this.#sweeper.maybeSweep();
    try {
      if (method === "GET" && url.pathname === paths.login) return await this.#login(request, url);
      if (method === "GET" && url.pathname === paths.callback) {
        return await this.#callback(request, url, context).catch(async (error: unknown) => {
          const failure = findEntranceError(error);
          await this.#trail.recordFailure({
            type: "sign_in_failed",
            detail: failure ? `${failure.code}: ${failure.message}` : "sign-in failed",
            aadsts: failure?.aadsts ?? null,
            ip: context.ip ?? null,
          });
          throw error;
        });
      }
      if (method === "GET" && url.pathname === paths.logout) return await this.#confirmLogout();
      if (method === "POST" && url.pathname === paths.logout) return await this.#logout(request);
      if (method === "GET" && url.pathname === paths.frontchannelLogout)
        return await this.#frontchannelLogout(url);
      const asset = url.pathname.startsWith(this.#assetPrefix)
        ? ASSETS.get(url.pathname.slice(this.#assetPrefix.length))
        : undefined;
      if (method === "GET" && asset) {
        return new Response(asset, {
          headers: {
            "content-type": "text/javascript; charset=utf-8",
            "cache-control": "public, max-age=3600",
          },
        });
      }
      return null;
    } catch (error) {
      return this.errorResponse(error, request);
    }
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
    return this.#store.close();
  }

  async #login(request: Request, url: URL): Promise<Response> {
    const returnTo = safeReturnTo(url.searchParams.get("returnTo"), this.config.baseUrl);
    const existing = readCookie(request.headers.get("cookie"), this.#cookies.binding);
    // One binding per browser, reused, so that several tabs can sign in at once.
    const binding = existing ?? randomBytes(32).toString("base64url");
    const state = randomBytes(32).toString("base64url");
    const { verifier, challenge } = await this.#pkce.generatePkceCodes();
    const extra = extraScopes(url.searchParams.get("scopes"));
    const transaction: LoginTransaction = {
      nonce: randomBytes(32).toString("base64url"),
      codeVerifier: verifier,
      bindingHash: sha256(binding),
      returnTo,
      popup: url.searchParams.get("popup") === "1",
      // `email` puts the (unverified, display-only) address in the ID token.
      scopes: [...new Set([...this.config.scopes, "email", ...extra])],
      // A code is redeemed for one resource: the scopes the link asked for, else the app's own.
      redeemScopes: extra.length ? [...extra, "email"] : [...this.config.scopes, "email"],
      createdAt: Date.now(),
    };
    const limits = this.config.pendingSignIns;
    await this.#stored(async () => {
      if ((await this.#store.transactions.countPending()) >= limits.total) {
        throw new EntranceError(
          "sign_in_busy",
          "Too many sign-ins are in progress right now. Please try again in a few minutes.",
        );
      }
      await this.#store.transactions.put(
        state,
        JSON.stringify(transaction),
        this.config.loginTimeout,
        {
          id: transaction.bindingHash,
          maxPending: limits.perBrowser,
        },
      );
    });
    const prompt = url.searchParams.get("prompt");
    const claims = claimsRequest(url.searchParams.get("claims"));
    const loginHint = url.searchParams.get("login_hint");
    const client = await this.#client();
    const authorizeUrl = await client.getAuthCodeUrl({
      scopes: transaction.scopes,
      redirectUri: this.redirectUri,
      responseMode: "query",
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
      state,
      nonce: transaction.nonce,
      ...(prompt && ["login", "select_account", "consent"].includes(prompt) ? { prompt } : {}),
      ...(loginHint ? { loginHint } : {}),
      ...(claims ? { claims } : {}),
    });
    const headers = new Headers({ location: authorizeUrl, "cache-control": "no-store" });
    if (!existing) {
      headers.append(
        "set-cookie",
        serializeCookie(this.#cookies.binding, binding, { secure: this.#secure }),
      );
    }
    return new Response(null, { status: 302, headers });
  }

  async #callback(request: Request, url: URL, context: RequestContext): Promise<Response> {
    const state = url.searchParams.get("state");
    if (!state) throw new EntranceError("callback_invalid", "The sign-in response has no state.");
    // The browser first: only the browser that started a sign-in can spend its state, so someone
    // who learnt the state (from a log, a Referer) cannot break the real user's sign-in.
    const binding = readCookie(request.headers.get("cookie"), this.#cookies.binding);
    if (!binding) {
      throw new EntranceError(
        "browser_binding_mismatch",
        "This sign-in response belongs to a sign-in started in another browser. Please sign in again here.",
      );
    }
    const bindingHash = sha256(binding);
    const taken = await this.#stored(() => this.#store.transactions.take(state, bindingHash));
    const transaction = taken ? parseTransaction(taken) : null;
    if (!transaction || transaction.bindingHash !== bindingHash) {
      throw new EntranceError(
        "login_transaction_missing",
        "This sign-in response is unknown, was already used, took too long, or was started in another browser. Please sign in again.",
      );
    }
    const error = url.searchParams.get("error");
    if (error) {
      const description = url.searchParams.get("error_description");
      throw new EntranceError(
        "identity_provider_error",
        `Microsoft Entra ID returned "${error}": ${firstLine(description)}`,
        {
          aadsts: aadstsOf(description),
        },
      );
    }
    const code = url.searchParams.get("code");
    if (!code)
      throw new EntranceError(
        "callback_invalid",
        "The sign-in response has neither a code nor an error.",
      );

    const client = await this.#client();
    let result: AuthenticationResult;
    try {
      result = await client.acquireTokenByCode({
        code,
        redirectUri: this.redirectUri,
        scopes: transaction.redeemScopes,
        codeVerifier: transaction.codeVerifier,
        nonce: transaction.nonce,
      });
    } catch (cause) {
      if (cause instanceof EntranceError) throw cause;
      const message = (cause as { errorMessage?: string }).errorMessage ?? (cause as Error).message;
      throw new EntranceError(
        "token_request_failed",
        `Redeeming the sign-in code failed: ${firstLine(message)}`,
        {
          cause,
          aadsts: aadstsOf(message),
        },
      );
    }
    const claims = await validateIdToken(result.idToken, this.#metadata, {
      clientId: this.config.clientId,
      nonce: transaction.nonce,
      tenantId: await this.#expectedTenant(),
      allowedTenants: this.config.allowedTenants,
      clockSkew: this.config.clockSkew,
    });

    const existing = await this.#existingUser(claims.tid, claims.oid);
    if (existing?.disabled) {
      throw new EntranceError(
        "user_disabled",
        "An administrator has disabled your account in this app.",
      );
    }
    const user = userFromClaims(claims, existing);
    await this.#decide(user, claims, result);

    // Session before tokens, and the earlier session ended last: a failure part-way leaves the
    // browser as it was (still signed in as before, or not at all), never half signed in.
    const previous = readCookie(request.headers.get("cookie"), this.#cookies.session);
    const sessionId = await this.#stored(async () => {
      const stored = await this.#store.users.upsert(user);
      const id = await this.#sessions.start(stored, claims.sid ?? null, {
        ip: context.ip ?? null,
        userAgent: request.headers.get("user-agent"),
      });
      try {
        // Tokens for other resources (an earlier consent) stay; the new ones win.
        const earlier = await this.#tokens.load(claims.tid, claims.oid);
        await this.#tokens.save(
          claims.tid,
          claims.oid,
          mergeCaches(earlier, client.getTokenCache().serialize()),
        );
      } catch (error) {
        await this.#sessions.end(id).catch(() => {});
        throw error;
      }
      await this.#sessions.end(previous);
      return id;
    });
    await this.#audit({
      type: "sign_in",
      tenantId: claims.tid,
      objectId: claims.oid,
      detail: `signed in as ${claims.preferred_username ?? claims.oid}`,
      ip: context.ip ?? null,
    });
    const cookie = serializeCookie(this.#cookies.session, sessionId, { secure: this.#secure });
    if (transaction.popup) {
      return new Response(
        popupCompletePage(transaction.returnTo, `${this.#assetPrefix}popup-complete.js`),
        {
          status: 200,
          headers: { ...PAGE_HEADERS, "set-cookie": cookie },
        },
      );
    }
    return new Response(null, {
      status: 302,
      headers: {
        location: transaction.returnTo,
        "set-cookie": cookie,
        "cache-control": "no-store",
      },
    });
  }

  async #decide(
    user: UserRecord,
    claims: IdTokenClaims,
    result: AuthenticationResult,
  ): Promise<void> {
    const hook = this.#options.onSignIn;
    if (!hook) return;
    const decision = await hook({
      user,
      claims,
      tokens: {
        accessToken: result.accessToken,
        idToken: result.idToken,
        expiresOn: result.expiresOn,
        scopes: result.scopes,
      },
    });
    if (decision === false)
      throw new EntranceError("sign_in_refused", "This app did not accept the sign-in.");
    if (decision && typeof decision === "object")
      throw new EntranceError("sign_in_refused", decision.refuse);
  }

  /** Sign-out changes state, so it is a POST; a GET (a plain link) asks first. */
  async #confirmLogout(): Promise<Response> {
    return new Response(logoutConfirmPage(this.config.paths.logout), {
      status: 200,
      headers: entrancePageHeaders(await this.#formTargets()),
    });
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
    return appSecurityHeaders(await this.#formTargets(), directives);
  }

  /**
   * Origins a form of the app may be redirected to: Entra's sign-in and end-session endpoints.
   * From the metadata once it has been read; until then (or when it cannot be), the authority's.
   */
  async #formTargets(): Promise<readonly string[]> {
    if (this.#knownFormTargets) return this.#knownFormTargets;
    try {
      const metadata = await this.#metadata.document();
      const endpoints = [metadata.authorization_endpoint, metadata.end_session_endpoint];
      this.#knownFormTargets = [
        ...new Set(endpoints.filter((e): e is string => Boolean(e)).map((e) => new URL(e).origin)),
      ];
      return this.#knownFormTargets;
    } catch {
      return [new URL(this.config.authorityHost).origin];
    }
  }

  async #logout(request: Request): Promise<Response> {
    if (!sameOrigin(request, this.config.baseUrl)) {
      throw new EntranceError("cross_site_request", "Sign-out must be requested from this site.");
    }
    const session = await this.#stored(() =>
      this.#sessions.end(readCookie(request.headers.get("cookie"), this.#cookies.session)),
    );
    if (session) {
      await this.#evictIfSignedOut([session]);
      await this.#audit({
        type: "sign_out",
        tenantId: session.tenantId,
        objectId: session.objectId,
        detail: "signed out",
        ip: null,
      });
    }
    const afterLogout = `${this.config.baseUrl}${this.config.paths.afterLogout}`;
    let location = afterLogout;
    const endSession = (await this.#metadata.document()).end_session_endpoint;
    if (endSession) {
      const target = new URL(endSession);
      target.searchParams.set("post_logout_redirect_uri", afterLogout);
      target.searchParams.set("client_id", this.config.clientId);
      location = target.href;
    }
    const headers = new Headers({ location, "cache-control": "no-store" });
    headers.append(
      "set-cookie",
      serializeCookie(this.#cookies.session, "", { secure: this.#secure, maxAge: 0 }),
    );
    return new Response(null, { status: 303, headers });
  }

  /**
   * Evicts the tokens of users who have no session left. A user signed in on another device keeps
   * the tokens that session still uses; the last sign-out removes them.
   */
  async #evictIfSignedOut(users: readonly { tenantId: string; objectId: string }[]): Promise<void> {
    await this.#stored(async () => {
      for (const user of users) {
        const remaining = await this.#store.sessions.listByUser(user.tenantId, user.objectId);
        if (remaining.length === 0) await this.#tokens.evict(user.tenantId, user.objectId);
      }
    });
  }

  /**
   * Entra refused the user's refresh token for good (revoked, account disabled, password
   * changed): their sessions here end too, on every device, so that the app stops trusting a
   * sign-in that Entra no longer does.
   */
  async #signOutEverywhere(user: UserKey, aadsts: number): Promise<void> {
    let ended: number;
    try {
      ended = await this.#store.sessions.deleteByUser(user.tenantId, user.objectId);
    } catch (error) {
      // The caller still learns that the user must sign in again; the sessions end at the latest
      // when their next token request fails the same way.
      this.#logger.error(
        "entrance: could not end the sessions of a revoked user",
        describeError(error),
      );
      return;
    } finally {
      this.#sessions.forgetUser(user.tenantId, user.objectId);
    }
    await this.#audit({
      type: "session_ended",
      tenantId: user.tenantId,
      objectId: user.objectId,
      detail: `Entra rejected the refresh token (AADSTS${aadsts}): ${ended} session(s) ended`,
      aadsts,
      ip: null,
    });
  }

  /** Records an audit event; a failure to record is logged, never fails the request. */
  #audit(event: FlowEvent): Promise<void> {
    return this.#trail.record(event);
  }

  /** Runs store operations; their failures become `store_failed` (logged, with the cause). */
  async #stored<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (cause) {
      if (cause instanceof EntranceError) throw cause;
      throw new EntranceError("store_failed", "Entrance could not read or write its store.", {
        cause,
      });
    }
  }

  /**
   * Entra calls this in a hidden frame, usually without our cookies: find sessions by sid. Entra
   * sends only `sid`; an `iss` sent along must be this app's identity provider, or nothing ends.
   */
  async #frontchannelLogout(url: URL): Promise<Response> {
    const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" };
    const iss = url.searchParams.get("iss");
    if (iss !== null) {
      const issuer = (await this.#metadata.document()).issuer;
      if (!issuerMatches(issuer, iss, this.config.allowedTenants)) {
        return new Response("<!doctype html><title>Unknown issuer</title>", {
          status: 400,
          headers,
        });
      }
    }
    const sid = url.searchParams.get("sid");
    if (sid && /^[0-9A-Za-z-]{1,128}$/.test(sid)) {
      const users = await this.#stored(() => this.#store.sessions.deleteBySid(sid));
      for (const user of users) this.#sessions.forgetUser(user.tenantId, user.objectId);
      await this.#evictIfSignedOut(users);
      for (const user of users) {
        await this.#audit({
          type: "session_ended",
          tenantId: user.tenantId,
          objectId: user.objectId,
          detail: "front-channel logout from Entra ID",
          ip: null,
        });
      }
    }
    return new Response("<!doctype html><title>Signed out</title>", { status: 200, headers });
  }

  /**
   * The stored user, or null. A row the store cannot read is logged and counted as absent, so that
   * this sign-in's upsert rewrites it instead of locking the user out.
   */
  async #existingUser(tenantId: string, objectId: string): Promise<UserRecord | null> {
    try {
      return await this.#store.users.get(tenantId, objectId);
    } catch (error) {
      this.#logger.error(
        "entrance: the stored user could not be read; it will be rewritten",
        describeError(error),
      );
      return null;
    }
  }

  async #client(cache?: string) {
    return msalClient(
      this.config,
      this.#authority,
      this.#network,
      await this.#metadata.raw(),
      cache,
    );
  }

  /** For a single-tenant app, the tenant id (GUID) from the issuer, even if configured by domain. */
  async #expectedTenant(): Promise<string | undefined> {
    if (isMultiTenant(this.config)) return undefined;
    const issuer = (await this.#metadata.document()).issuer;
    return new URL(issuer).pathname.split("/")[1];
  }

  /**
   * The response for an error of Entrance's routes or guards: its status from the one table
   * (`statusOf`), as JSON for a request that prefers it (API calls, XHR) and otherwise as a page
   * that explains Entra's code — never a stack trace. Anything that is not an EntranceError is
   * logged and answered as `identity_provider_unavailable`.
   */
  errorResponse(error: unknown, request: Request): Response {
    const known =
      findEntranceError(error) ??
      new EntranceError(
        "identity_provider_unavailable",
        "Something went wrong while signing you in.",
        {
          cause: error,
        },
      );
    if (
      !(error instanceof EntranceError) ||
      known.code === "identity_provider_unavailable" ||
      known.code === "store_failed"
    ) {
      this.#logger.error("entrance: request failed", describeError(error));
    }
    if (prefersJson(request.headers)) {
      return Response.json(errorBody(known, { loginUrl: this.config.paths.login }), {
        status: statusOf(known),
        headers: { "cache-control": "no-store" },
      });
    }
    const explanation = known.aadsts
      ? explainAadsts(known.aadsts, {
          redirectUri: this.redirectUri,
          clientId: this.config.clientId,
        })
      : undefined;
    return new Response(errorPage(known, explanation, this.config.paths.login), {
      status: statusOf(known),
      headers: PAGE_HEADERS,
    });
  }
}

/** Creates the core. Validates the configuration at once: a bad value throws `config_invalid`. */
export function createEntrance(options: EntranceOptions): Entrance {
  return new Entrance(options);
}

function userFromClaims(claims: IdTokenClaims, existing: UserRecord | null): UserRecord {
  const now = new Date();
  const overage = Boolean(
    (claims._claim_names as { groups?: unknown } | undefined)?.groups || claims.hasgroups === true,
  );
  return {
    tenantId: claims.tid,
    objectId: claims.oid,
    displayName: claims.name ?? null,
    username: claims.preferred_username ?? null,
    mail: claims.email ?? null,
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r) => typeof r === "string") : [],
    groups: Array.isArray(claims.groups) ? claims.groups.filter((g) => typeof g === "string") : [],
    groupsOverage: overage,
    firstSignInAt: existing?.firstSignInAt ?? now,
    lastSignInAt: now,
    disabled: false,
    resolvedGroups: null,
  };
}

/**
 * Whether a state-changing request comes from this site. Browsers send Origin on POST and
 * Sec-Fetch-Site on every request; a request carrying neither is not a browser's cross-site one.
 */
function sameOrigin(request: Request, baseUrl: string): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== new URL(baseUrl).origin) return false;
  const site = request.headers.get("sec-fetch-site");
  return site === null || site === "same-origin" || site === "none";
}

/** Scopes a sign-in link may add (incremental consent): scope-shaped words, a bounded number. */
function extraScopes(value: string | null): string[] {
  if (!value || value.length > 2000) return [];
  return value
    .split(/\s+/)
    .filter((scope) => /^[A-Za-z0-9._:/-]{1,200}$/.test(scope))
    .slice(0, 30);
}

/** A claims request passed through a sign-in link: a JSON object of bounded size, or nothing. */
function claimsRequest(value: string | null): string | undefined {
  if (!value || value.length > 4096) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? value : undefined;
  } catch {
    return undefined;
  }
}

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

function firstLine(text: string | null | undefined): string {
  return (text ?? "").split(/\r?\n/)[0]?.slice(0, 500) ?? "";
}
