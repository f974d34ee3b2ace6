import type {
  AccessToken,
  AcquireOptions,
  Entrance,
  Interaction,
  SessionRecord,
  UserRecord,
} from "@entrance/core";
import type { Client } from "@microsoft/microsoft-graph-client";

/** A signed-in user as the app sees it: the stored record and its permissions. */
export type EntranceUser = UserRecord & { readonly permissions: readonly string[] };

/** What Entrance adds to every Express request as `req.entrance`. */
export interface EntranceRequestContext {
  /**
   * The signed-in user, or null, with the app permissions their roles and groups grant
   * (`authorization.permissions`; overage groups count once resolved, which guards do).
   */
  readonly user: EntranceUser | null;
  readonly session: SessionRecord | null;
  readonly isSignedIn: boolean;
  /** The sign-in link returning to `returnTo` (default: this request's path). */
  loginUrl(returnTo?: string): string;
  readonly logoutUrl: string;
  /** The sign-in link asking Entra for what an `interaction_required` error needs, then back. */
  loginUrlFor(interaction: Interaction, returnTo?: string): string;
  /**
   * The signed-in user's access token for `scopes` (array or space-separated string). Throws
   * EntranceError `interaction_required` (consent, claims) or `reauthentication_required`, which
   * `handleEntranceErrors()` turns into a sign-in redirect and back.
   */
  getAccessToken(
    scopes: readonly string[] | string,
    options?: AcquireOptions,
  ): Promise<AccessToken>;
  /** Microsoft Graph as the signed-in user (default scopes: the sign-in scopes). */
  readonly graph: Client;
  /** The core this request was handled by, for tools built on it (the admin panel). */
  readonly core: Entrance;
}

declare module "express-serve-static-core" {
  interface Request {
    /** Set by the `entrance()` middleware. */
    entrance: EntranceRequestContext;
  }
}
