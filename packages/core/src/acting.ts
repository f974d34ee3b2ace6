/**
 * What the core does as the user and as the app: the signed-in user's tokens, on-behalf-of a
 * bearer caller, the app's own tokens, Microsoft Graph for each, and the configured downstream
 * APIs. The base of `Entrance`, which adds routes, sessions, guards and authorization; in a module
 * of its own so that the façade stays small.
 */
import type { Agent } from "node:https";
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import type { Caller } from "./bearer/caller.js";
import type { EntranceConfig } from "./config/schema.js";
import { parseScopes } from "./config/schema.js";
import { type DownstreamActor, DownstreamApis } from "./downstream/apis.js";
import type { DownstreamApi } from "./downstream/client.js";
import { EntranceError } from "./errors/entrance-error.js";
import { createAgent, type TrustedAuthority } from "./http/network.js";
import type { Runtime } from "./runtime.js";
import {
  type AccessToken,
  type AcquireOptions,
  TokenAcquirer,
  type UserKey,
} from "./tokens/acquire.js";
import { AppTokens, appTenantOf } from "./tokens/app-only.js";
import { graphClient, type TokenSource } from "./tokens/graph.js";
import { summarizeCache, type TokenSummary } from "./tokens/merge-cache.js";
import { OnBehalfOf } from "./tokens/on-behalf-of.js";

/** Tokens, Graph and downstream APIs, as the user, on-behalf-of a caller, or as the app. */
export class ActingCore {
  readonly config: EntranceConfig;
  /** The parts every flow shares; for `Entrance`, which wires the rest on them. */
  protected readonly rt: Runtime;
  readonly #acquirer: TokenAcquirer;
  readonly #onBehalfOf: OnBehalfOf;
  readonly #appTokens: AppTokens;
  readonly #downstream: DownstreamApis;
  readonly #graphAgent: Agent;

  constructor(rt: Runtime, trust: TrustedAuthority | undefined) {
    this.rt = rt;
    this.config = rt.config;
    this.#graphAgent = createAgent(trust);
    this.#acquirer = new TokenAcquirer(
      rt.config.clientId,
      (cache) => rt.client(cache),
      rt.tokens,
      rt.store.locks,
      (user, aadsts) => this.#signOutEverywhere(user, aadsts),
      rt.logger,
    );
    this.#onBehalfOf = new OnBehalfOf(
      rt.config.clientId,
      rt.store,
      rt.config.secrets,
      (tenantId, cache) => rt.tenantClient(tenantId, cache),
    );
    this.#appTokens = new AppTokens((tenantId) => rt.tenantClient(tenantId));
    this.#downstream = new DownstreamApis(rt.config.downstreamApis, {
      user: (user, scopes, options) => this.getAccessToken(user, scopes, options),
      onBehalfOf: (caller, assertion, scopes, options) =>
        this.getAccessTokenOnBehalfOf(caller, assertion, scopes, options),
      app: (tenantId, scopes, options) =>
        this.#appTokens.get(appTenantOf(this.config, tenantId), scopes, options),
    });
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
    const cache = await this.rt.tokens.load(user.tenantId, user.objectId);
    return cache ? summarizeCache(cache) : null;
  }

  /** A Microsoft Graph client acting as `user`, with `scopes` (default: the sign-in scopes). */
  graph(user: UserKey, scopes: readonly string[] = this.config.scopes): GraphClient {
    this.#refuseGraphForB2c();
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
    this.#refuseGraphForB2c();
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
      tenantId = appTenantOf(this.config, options.tenantId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#appTokens.get(tenantId, parseScopes(scopes), options);
  }

  /**
   * Microsoft Graph as the app itself (application permissions), with the same origin rules as
   * {@link graph}. `scopes` default to `https://graph.microsoft.com/.default` (a national cloud's
   * Graph names its own resource); `tenantId` as for {@link getAppToken}. Throws
   * `b2c_graph_unsupported` in an Azure AD B2C app, whose policies issue no Graph tokens.
   *
   * @example
   * const user = await entrance.appGraph().api(`/users/${id}`).get();
   */
  appGraph(
    options: { readonly tenantId?: string; readonly scopes?: readonly string[] } = {},
  ): GraphClient {
    this.#refuseAppGraphForB2c();
    const tenantId = appTenantOf(this.config, options.tenantId);
    return this.#graphClient(
      options.scopes ?? ["https://graph.microsoft.com/.default"],
      (wanted, acquire) => this.#appTokens.get(tenantId, wanted, acquire),
    );
  }

  /**
   * B2C gives its users no Microsoft Graph tokens: a clear error here, not a token request B2C
   * refuses or a 401 from Graph later.
   */
  #refuseGraphForB2c(): void {
    if (!this.config.b2c) return;
    throw new EntranceError(
      "b2c_graph_unsupported",
      "Microsoft Graph cannot be called as a user of an Azure AD B2C app: B2C issues no Graph tokens to its users. Read the user from the ID token; for directory work, call Graph as an app of the tenant's Entra ID side (docs/b2c.md).",
    );
  }

  /**
   * A B2C app's authority is a policy, whose token endpoint gives app tokens for the tenant's own
   * APIs only (their App ID URI and `/.default`): Graph's come from the tenant's Entra ID
   * endpoint. A clear error here rather than B2C's AADB2C90117 at the first Graph call.
   */
  #refuseAppGraphForB2c(): void {
    if (!this.config.b2c) return;
    throw new EntranceError(
      "b2c_graph_unsupported",
      "Microsoft Graph cannot be called as the app through an Azure AD B2C policy: B2C's policies give app tokens for the tenant's own APIs only. Call Graph as an app of the tenant's Entra ID side (docs/b2c.md).",
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

  /**
   * A fetch-style client for the downstream API configured as `name` (`downstreamApis`), whose
   * requests carry its token only to its base URL. Called with no `actor`, as a daemon or
   * background job does, it serves `as: "app"` APIs; an `as: "user"` API throws `config_invalid`
   * here — apps call it from a request, `context.downstream(name)`, which supplies the user or
   * the bearer caller. An unknown name throws `config_invalid`.
   *
   * @example
   * const answer = await entrance.downstream("billing").fetch("invoices", { method: "POST", body });
   */
  downstream(name: string, actor?: DownstreamActor): DownstreamApi {
    return this.#downstream.client(name, actor);
  }

  /**
   * Entra refused the user's refresh token for good (revoked, account disabled, password
   * changed): their sessions here end too, on every device, so that the app stops trusting a
   * sign-in that Entra no longer does.
   */
  async #signOutEverywhere(user: UserKey, aadsts: number): Promise<void> {
    const { store, sessions, logger, trail } = this.rt;
    let ended: number;
    try {
      ended = await store.sessions.deleteByUser(user.tenantId, user.objectId);
    } catch (error) {
      // The caller still learns that the user must sign in again; the sessions end at the latest
      // when their next token request fails the same way.
      logger.error(
        { event: "revoked_user_sessions_not_ended", error },
        "entrance: could not end the sessions of a revoked user",
      );
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
