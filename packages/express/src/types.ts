import type {
  AccessToken,
  AcquireOptions,
  Interaction,
  SessionRecord,
  UserRecord,
} from "@entrance/core";
import type { Client } from "@microsoft/microsoft-graph-client";

/** What Entrance adds to every Express request as `req.entrance`. */
export interface EntranceRequestContext {
  /** The signed-in user, or null. */
  readonly user: UserRecord | null;
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
}

declare module "express-serve-static-core" {
  interface Request {
    /** Set by the `entrance()` middleware. */
    entrance: EntranceRequestContext;
  }
}
