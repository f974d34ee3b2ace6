/**
 * The per-request context every adapter hands to the app (`req.entrance`, `c.get("entrance")`,
 * `auth()`): who is signed in, with what permissions, the sign-in and sign-out links, and acting
 * for the user. Made by `Entrance.context(request)`.
 */
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import type { Caller } from "./bearer/caller.js";
import { bearerTokenOf } from "./bearer/header.js";
import type { ContextSession } from "./context-session.js";
import type { DownstreamApi } from "./downstream/client.js";
import type { Entrance } from "./entrance.js";
import { EntranceError, type Interaction } from "./errors/entrance-error.js";
import { type RequestLike, returnToOf } from "./http/node.js";
import { pageLinks } from "./page-links.js";
import type { SessionRecord, UserRecord } from "./storage/types.js";
import type { AccessToken, AcquireOptions } from "./tokens/acquire.js";

/** A signed-in user as the app sees it: the stored record and the permissions it grants. */
export type EntranceUser = UserRecord & { readonly permissions: readonly string[] };

/** What every template sees (`res.locals` in Express, the view's data elsewhere). */
export interface TemplateLocals {
  readonly user: EntranceUser | null;
  /** Sign in and come back to this page. */
  readonly loginUrl: string;
  /**
   * Sign up and come back to this page: Entra's sign-up page for an External ID app, the sign-in
   * link for any other.
   */
  readonly signUpUrl: string;
  readonly logoutUrl: string;
  readonly popupScriptUrl: string;
  /** Azure AD B2C's profile edit, coming back to this page; null without `b2c.editProfile`. */
  readonly profileUrl: string | null;
}

/**
 * What Entrance gives the app for one request. Its methods keep their context when taken off it,
 * so `const { user, loginUrl, getAccessToken } = context` works as destructuring code expects.
 */
export interface EntranceContext {
  /** The request this context is for (what guards negotiate their answers on). */
  readonly request: RequestLike;
  /**
   * The signed-in user, or null, with the app permissions their roles and groups grant
   * (`authorization.permissions`; overage groups count once resolved, which guards do). Roles and
   * groups are those that count: none for a user of a tenant the app does not trust.
   */
  readonly user: EntranceUser | null;
  /**
   * The session, without the Entra `sid` that front-channel logout is keyed on: whoever learns a
   * sid can end that session, so it is kept from pages and logs.
   */
  readonly session: Omit<SessionRecord, "sid"> | null;
  readonly isSignedIn: boolean;
  /**
   * Who called with a bearer token, once a `requireBearer` guard let the request through: tenant,
   * object id, calling app, scopes, roles, and whether a user or an app. Null before, and on
   * routes without that guard.
   */
  readonly caller: Caller | null;
  /** The sign-in link returning to `returnTo` (default: this request's path and query). */
  loginUrl(returnTo?: string): string;
  /**
   * The sign-up link returning to `returnTo` (default: this request's path and query): for an
   * Entra External ID app, straight to the tenant's sign-up page (`prompt=create`); for any
   * other app, the sign-in link.
   */
  signUpUrl(returnTo?: string): string;
  /**
   * The Azure AD B2C profile-edit link returning to `returnTo` (default: this request's path and
   * query); null when the app has no profile-edit policy (`b2c.editProfile`).
   */
  profileUrl(returnTo?: string): string | null;
  readonly logoutUrl: string;
  /** The script that makes `<a data-entrance-popup>` links sign in through a popup. */
  readonly popupScriptUrl: string;
  /** The sign-in link asking Entra for what an `interaction_required` error needs, then back. */
  loginUrlFor(interaction: Interaction, returnTo?: string): string;
  /**
   * The signed-in user's access token for `scopes` (array or space-separated string). Throws
   * EntranceError `interaction_required` (consent, claims) or `reauthentication_required`.
   */
  getAccessToken(
    scopes: readonly string[] | string,
    options?: AcquireOptions,
  ): Promise<AccessToken>;
  /** Microsoft Graph as the signed-in user (default scopes: the sign-in scopes). */
  readonly graph: GraphClient;
  /**
   * On a `requireBearer` route: a token for a downstream API (Graph's or another API's scopes) as
   * the user who called, by on-behalf-of. Throws EntranceError `on_behalf_of_needs_user` for an
   * app-only caller (or no caller), and `downstream_interaction_required` when Entra needs the
   * user; `handleEntranceErrors` answers that with a 401 step-up challenge for the caller.
   *
   * @example
   * const { token } = await req.entrance.getAccessTokenOnBehalfOf("api://orders/Orders.Read");
   */
  getAccessTokenOnBehalfOf(
    scopes: readonly string[] | string,
    options?: AcquireOptions,
  ): Promise<AccessToken>;
  /**
   * On a `requireBearer` route: Microsoft Graph as the user who called, by on-behalf-of (default
   * scopes: the sign-in scopes). Errors as for {@link getAccessTokenOnBehalfOf}.
   */
  readonly graphOnBehalfOf: GraphClient;
  /**
   * A fetch-style client for the downstream API configured as `name` (`downstreamApis`): each
   * request carries the right token, only to that API's origin and base path. The token is the
   * app's for an `as: "app"` API; otherwise the bearer caller's by on-behalf-of on a
   * `requireBearer` route, else the signed-in user's (consent and claims challenges as
   * `interaction_required`, which `handleEntranceErrors` sends to Entra and back). Throws
   * `config_invalid` for a name that is not configured.
   *
   * @example
   * const answer = await req.entrance.downstream("orders").fetch("orders");
   */
  downstream(name: string): DownstreamApi;
  /** The core this request was handled by, for tools built on it (the admin panel). */
  readonly core: Entrance;
  /** What templates see, for the adapter to hand over. */
  readonly locals: TemplateLocals;
  /**
   * Puts {@link TemplateLocals} on a framework's template data (Express's `res.locals`) as plain
   * values; the links are built once per page URL and looked up after.
   */
  assignLocals(target: object): void;
  /**
   * Headers for the app's response to this request: `Cache-Control: no-store` when someone is
   * signed in (a personal page is never cached; Back after sign-out shows nothing). Adapters set
   * them before the app's handler, which may still set its own.
   */
  readonly responseHeaders: Readonly<Record<string, string>>;
}

/**
 * One request's context. A class, so a request allocates one object and no closures; what a page
 * may not use (the sign-in link, the Graph client) is made only when asked for.
 */
export class RequestContext implements EntranceContext {
  #graph: GraphClient | undefined;
  #graphOnBehalfOf: GraphClient | undefined;
  #caller: Caller | null = null;

  /** Records the caller a bearer guard admitted (see {@link attachCaller}). */
  static attachCaller(context: RequestContext, caller: Caller): void {
    context.#caller = caller;
  }

  constructor(
    readonly core: Entrance,
    readonly request: RequestLike,
    private readonly signedIn: ContextSession | null,
  ) {}

  get user(): EntranceUser | null {
    return this.signedIn?.user ?? null;
  }

  get session(): Omit<SessionRecord, "sid"> | null {
    return this.signedIn?.session ?? null;
  }

  get isSignedIn(): boolean {
    return this.signedIn !== null;
  }

  get caller(): Caller | null {
    return this.#caller;
  }

  get logoutUrl(): string {
    return this.core.logoutUrl;
  }

  get popupScriptUrl(): string {
    return this.core.popupScriptUrl;
  }

  // The methods are getters returning functions bound to this context, so that they survive
  // destructuring (`const { getAccessToken } = await auth()`); a function is made only when a
  // method is read, which keeps a request that reads none at one object.
  get loginUrl(): (returnTo?: string) => string {
    return (returnTo) => this.core.loginUrl(returnTo ?? returnToOf(this.request));
  }

  get signUpUrl(): (returnTo?: string) => string {
    return (returnTo) => this.core.signUpUrl(returnTo ?? returnToOf(this.request));
  }

  get profileUrl(): (returnTo?: string) => string | null {
    return (returnTo) => this.core.profileUrl(returnTo ?? returnToOf(this.request));
  }

  get loginUrlFor(): (interaction: Interaction, returnTo?: string) => string {
    return (interaction, returnTo) =>
      this.core.loginUrlFor(interaction, returnTo ?? returnToOf(this.request));
  }

  get getAccessToken(): EntranceContext["getAccessToken"] {
    return (scopes, options) => {
      const user = this.user;
      return user ? this.core.getAccessToken(user, scopes, options) : Promise.reject(notSignedIn());
    };
  }

  get graph(): GraphClient {
    const user = this.user;
    if (!user) throw notSignedIn();
    this.#graph ??= this.core.graph(user);
    return this.#graph;
  }

  get getAccessTokenOnBehalfOf(): EntranceContext["getAccessTokenOnBehalfOf"] {
    return (scopes, options) => {
      try {
        const { caller, assertion } = this.#onBehalfOfUser();
        return this.core.getAccessTokenOnBehalfOf(caller, assertion, scopes, options);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }

  get graphOnBehalfOf(): GraphClient {
    const { caller, assertion } = this.#onBehalfOfUser();
    this.#graphOnBehalfOf ??= this.core.graphOnBehalfOf(caller, assertion);
    return this.#graphOnBehalfOf;
  }

  get downstream(): (name: string) => DownstreamApi {
    return (name) => {
      // A bearer caller first: on a requireBearer route the request acts for whoever sent it.
      if (this.#caller) return this.core.downstream(name, this.#onBehalfOfUser());
      const user = this.user;
      return this.core.downstream(name, user ? { user } : { nobody: true });
    };
  }

  /** The caller and the token it was validated from; the guard read the same header. */
  #onBehalfOfUser(): { caller: Caller; assertion: string } {
    const caller = this.#caller;
    const token = bearerTokenOf(this.request.headers.get("authorization"));
    if (!caller || token === "missing" || token === "malformed" || token === "too_large") {
      throw new EntranceError(
        "on_behalf_of_needs_user",
        "On-behalf-of needs a caller: put requireBearer() on this route.",
      );
    }
    return { caller, assertion: token };
  }

  get locals(): TemplateLocals {
    const links = pageLinks(this.core, this.request);
    return {
      user: this.user,
      loginUrl: links.loginUrl,
      signUpUrl: links.signUpUrl,
      profileUrl: links.profileUrl,
      logoutUrl: this.core.logoutUrl,
      popupScriptUrl: this.core.popupScriptUrl,
    };
  }

  get assignLocals(): (target: object) => void {
    return (target) => {
      // Plain values, set one by one: accessors (or a prototype) would cost every page more than
      // looking the links up, and templates rendered from a copy would lose them.
      const locals = target as Record<string, unknown>;
      const links = pageLinks(this.core, this.request);
      locals.user = this.user;
      locals.loginUrl = links.loginUrl;
      locals.signUpUrl = links.signUpUrl;
      locals.profileUrl = links.profileUrl;
      locals.logoutUrl = this.core.logoutUrl;
      locals.popupScriptUrl = this.core.popupScriptUrl;
    };
  }

  get responseHeaders(): Readonly<Record<string, string>> {
    return this.signedIn ? SIGNED_IN_HEADERS : NO_HEADERS;
  }
}

/**
 * Puts the caller a `requireBearer` guard admitted on the request's context. Only the core's
 * guards call it, and only on contexts the core made.
 */
export function attachCaller(context: EntranceContext, caller: Caller): void {
  if (context instanceof RequestContext) RequestContext.attachCaller(context, caller);
}

const SIGNED_IN_HEADERS = Object.freeze({ "cache-control": "no-store" });
const NO_HEADERS = Object.freeze({});

function notSignedIn(): EntranceError {
  return new EntranceError("reauthentication_required", "No user is signed in on this request.");
}
