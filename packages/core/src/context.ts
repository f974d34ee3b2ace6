/**
 * The per-request context every adapter hands to the app (`req.entrance`, `c.get("entrance")`,
 * `auth()`): who is signed in, with what permissions, the sign-in and sign-out links, and acting
 * for the user. Made by `Entrance.context(request)`.
 */
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import type { Entrance } from "./entrance.js";
import { EntranceError, type Interaction } from "./errors/entrance-error.js";
import { type RequestLike, returnToOf } from "./http/node.js";
import type { SessionRecord, UserRecord } from "./storage/types.js";
import type { AccessToken, AcquireOptions } from "./tokens/acquire.js";

/** A signed-in user as the app sees it: the stored record and the permissions it grants. */
export type EntranceUser = UserRecord & { readonly permissions: readonly string[] };

/** What every template sees (`res.locals` in Express, the view's data elsewhere). */
export interface TemplateLocals {
  readonly user: EntranceUser | null;
  /** Sign in and come back to this page. */
  readonly loginUrl: string;
  readonly logoutUrl: string;
  readonly popupScriptUrl: string;
}

/** What Entrance gives the app for one request. */
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
  /** The sign-in link returning to `returnTo` (default: this request's path and query). */
  loginUrl(returnTo?: string): string;
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
  /** The core this request was handled by, for tools built on it (the admin panel). */
  readonly core: Entrance;
  /** What templates see, for the adapter to hand over. */
  readonly locals: TemplateLocals;
  /**
   * Headers for the app's response to this request: `Cache-Control: no-store` when someone is
   * signed in (a personal page is never cached; Back after sign-out shows nothing). Adapters set
   * them before the app's handler, which may still set its own.
   */
  readonly responseHeaders: Readonly<Record<string, string>>;
}

/** Builds the context of a request whose session (if any) is already resolved. */
export function createContext(
  core: Entrance,
  request: RequestLike,
  signedIn: { session: SessionRecord; user: UserRecord } | null,
): EntranceContext {
  const user: EntranceUser | null = signedIn
    ? { ...signedIn.user, permissions: core.permissionsOf(signedIn.user) }
    : null;
  const here = () => returnToOf(request);
  let graph: GraphClient | undefined;
  return {
    request,
    user,
    session: signedIn ? withoutSid(signedIn.session) : null,
    isSignedIn: signedIn !== null,
    loginUrl: (returnTo) => core.loginUrl(returnTo ?? here()),
    logoutUrl: core.logoutUrl,
    popupScriptUrl: core.popupScriptUrl,
    loginUrlFor: (interaction, returnTo) => core.loginUrlFor(interaction, returnTo ?? here()),
    getAccessToken: (scopes, options) =>
      user ? core.getAccessToken(user, scopes, options) : Promise.reject(notSignedIn()),
    get graph() {
      if (!user) throw notSignedIn();
      graph ??= core.graph(user);
      return graph;
    },
    core,
    get locals() {
      return {
        user,
        loginUrl: this.loginUrl(),
        logoutUrl: core.logoutUrl,
        popupScriptUrl: core.popupScriptUrl,
      };
    },
    responseHeaders: signedIn ? SIGNED_IN_HEADERS : NO_HEADERS,
  };
}

const SIGNED_IN_HEADERS = Object.freeze({ "cache-control": "no-store" });
const NO_HEADERS = Object.freeze({});

function notSignedIn(): EntranceError {
  return new EntranceError("reauthentication_required", "No user is signed in on this request.");
}

function withoutSid({ sid: _sid, ...session }: SessionRecord): Omit<SessionRecord, "sid"> {
  return session;
}
