/** Every failure Entrance reports, by a stable code callers can switch on. */
export type EntranceErrorCode =
  /** The configuration is missing or wrong; the message names the fix. */
  | "config_invalid"
  /** The login transaction is unknown, already used or expired (a replayed or stale callback). */
  | "login_transaction_missing"
  /** The callback came to a browser other than the one that started the sign-in. */
  | "browser_binding_mismatch"
  /** The callback has no `state`, or no `code` and no `error`. */
  | "callback_invalid"
  /** Entra returned an error to the redirect URI (see `aadsts`). */
  | "identity_provider_error"
  /** Redeeming the authorization code failed (see `aadsts` and `cause`). */
  | "token_request_failed"
  /** The ID token failed validation; the message says which rule. */
  | "id_token_invalid"
  /** The user's tenant is not allowed to sign in to this app. */
  | "tenant_not_allowed"
  /** The app's onSignIn hook refused the sign-in. */
  | "sign_in_refused"
  /** The app's onSignIn hook threw: the app failed, not Entra; nothing was stored. */
  | "sign_in_hook_failed"
  /** The user was disabled by an administrator. */
  | "user_disabled"
  /** Entra (or the network to it) could not be reached or answered nonsense. */
  | "identity_provider_unavailable"
  /**
   * A token needs the user at Entra: consent to more scopes, or a claims challenge (continuous
   * access evaluation). `interaction` says what to ask for; adapters redirect there and back.
   */
  | "interaction_required"
  /**
   * The user's refresh token is gone, revoked or expired: their stored tokens were evicted and they
   * must sign in again.
   */
  | "reauthentication_required"
  /** The user's groups (group overage) could not be resolved through Microsoft Graph. */
  | "groups_unavailable"
  /** Too many sign-ins are pending (`pendingSignIns.total`); a new one is refused for now. */
  | "sign_in_busy"
  /** This client address started too many sign-ins lately (`pendingSignIns.perAddress`). */
  | "too_many_sign_ins"
  /** A state-changing request (sign-out) came from another site. */
  | "cross_site_request"
  /**
   * The request's host is not one of `allowedHosts` (or its scheme not https), or a sign-in's
   * callback came on another origin than the one it started on: nothing was done.
   */
  | "host_not_allowed"
  /** A storage operation failed: the store refused it or answered something unreadable. */
  | "store_failed"
  /**
   * The store did not answer within `storeTimeoutMs` or could not be reached: try again soon.
   * Nothing is signed out; requests succeed again once the store answers.
   */
  | "store_unavailable"
  /**
   * A Microsoft Graph request went to an origin other than Graph's or an allowed one; it was not
   * sent, so the user's token stayed here. The app's misuse (e.g. following a client's URL).
   */
  | "graph_host_not_allowed"
  /**
   * Microsoft Graph was asked for as a user of an Azure AD B2C app: B2C issues no Graph tokens to
   * its users (delegated Graph calls are not supported for them). Nothing was sent.
   */
  | "b2c_graph_unsupported"
  /**
   * Microsoft Graph refused (401) a token Entra had just issued, after one forced refresh: this
   * server's clock is likely behind Microsoft's, or the user's access was revoked.
   */
  | "graph_token_rejected"
  /** A request to a `requireBearer` route carried no bearer token (`WWW-Authenticate: Bearer`). */
  | "bearer_token_missing"
  /** The bearer token broke a rule (signature, algorithm, key, issuer, audience, times, tenant); `reason` says which. */
  | "bearer_token_invalid"
  /** The bearer token is valid but lacks what the route requires (a scope, an app role, the caller kind). */
  | "bearer_insufficient_scope"
  /** The identity provider's signing keys could not be read, so no bearer token can be checked now. */
  | "signing_keys_unavailable"
  /**
   * On-behalf-of needs a user's token: the caller is an application (app-only token), or the
   * route has no `requireBearer` guard, so there is no caller at all.
   */
  | "on_behalf_of_needs_user"
  /**
   * A downstream token (on-behalf-of) needs the user at Entra: consent, MFA or a claims
   * challenge. The API's caller gets a 401 whose `WWW-Authenticate` carries the claims, to get a
   * new token interactively and call again; `interaction` has the scopes and claims.
   */
  | "downstream_interaction_required"
  /**
   * A request to a configured downstream API named a URL off its base (another origin, `//host`,
   * `..`, a backslash, credentials); it was not sent, so the token stayed here. The app's misuse.
   */
  | "downstream_url_not_allowed"
  /** A configured downstream API could not be reached, or did not answer within 30 s. */
  | "downstream_unavailable"
  /** A downstream API called with the app's token still asked for claims after a new token. */
  | "downstream_token_rejected";

export interface EntranceErrorOptions {
  readonly cause?: unknown;
  /** The AADSTS number when Entra gave one. */
  readonly aadsts?: number | undefined;
  /** For `interaction_required`: what the sign-in redirect must ask for. */
  readonly interaction?: Interaction | undefined;
}

/** What a sign-in redirect must ask Entra for to satisfy a token request. */
export interface Interaction {
  readonly scopes: readonly string[];
  /** A claims request (JSON), from a continuous access evaluation challenge. */
  readonly claims?: string | undefined;
}

/**
 * What marks an EntranceError whichever copy of this module made it. A bundler may load several
 * copies in one process (Next.js bundles core into each route, while the app's core, kept on
 * `globalThis`, was made by one of them), and one copy's class is not another's: without the
 * mark, an error thrown by one copy would be a stranger to the other, answered as an outage.
 */
const BRAND = Symbol.for("@entrance/core.EntranceError");

/**
 * The one error class of Entrance. `code` is stable; `message` is for developers and logs and never
 * contains a token or secret. `instanceof EntranceError` holds for an error made by any copy of
 * Entrance in the process (Next.js bundles one per route).
 *
 * @example
 * try { ... } catch (error) {
 *   if (error instanceof EntranceError && error.code === "tenant_not_allowed") { ... }
 * }
 */
export class EntranceError extends Error {
  override readonly name = "EntranceError";
  readonly code: EntranceErrorCode;
  readonly aadsts: number | undefined;
  readonly interaction: Interaction | undefined;

  constructor(code: EntranceErrorCode, message: string, options: EntranceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.aadsts = options.aadsts;
    this.interaction = options.interaction;
  }

  /** Any copy's EntranceError, by its mark; for a subclass, only that subclass's own errors. */
  static override [Symbol.hasInstance](value: unknown): value is EntranceError {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked, maybe a subclass
    if (this !== EntranceError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && BRAND in value;
  }
}
Object.defineProperty(EntranceError.prototype, BRAND, { value: true });

/** The AADSTS number at the start of an Entra error description, if any. */
export function aadstsOf(description: string | null | undefined): number | undefined {
  const match = /AADSTS(\d{4,9})/.exec(description ?? "");
  return match?.[1] ? Number(match[1]) : undefined;
}

/**
 * The EntranceError in an error's cause chain (MSAL and the Graph SDK wrap what they are given),
 * or undefined.
 */
export function findEntranceError(error: unknown): EntranceError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof EntranceError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
