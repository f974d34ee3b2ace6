import type { SessionRecord, UserRecord } from "@entrance/core";

/** What Entrance adds to every Express request as `req.entrance`. */
export interface EntranceRequestContext {
  /** The signed-in user, or null. */
  readonly user: UserRecord | null;
  readonly session: SessionRecord | null;
  readonly isSignedIn: boolean;
  /** The sign-in link returning to `returnTo` (default: this request's path). */
  loginUrl(returnTo?: string): string;
  readonly logoutUrl: string;
}

declare module "express-serve-static-core" {
  interface Request {
    /** Set by the `entrance()` middleware. */
    entrance: EntranceRequestContext;
  }
}
