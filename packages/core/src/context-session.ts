/**
 * A resolved session as the app sees it (the user with permissions, the session without its
 * `sid`), and the one per cached session a core keeps: a cached session is the same object for
 * `session.cacheSeconds`, so is what the app sees of it, made once for all its requests.
 */
import type { TenantTrust } from "./authz/trust.js";
import type { EntranceUser } from "./context.js";
import type { SignedIn } from "./flow/sessions.js";
import type { SessionRecord, UserRecord } from "./storage/types.js";

/** What a resolved session looks like to the app: the user with permissions, no `sid`. */
export interface ContextSession {
  readonly user: EntranceUser;
  readonly session: Omit<SessionRecord, "sid">;
}

/** The user and session as the app sees them, made from a resolved session. */
export function contextSession(
  signedIn: { session: SessionRecord; user: UserRecord },
  permissions: readonly string[],
): ContextSession {
  return new SeenSession({ ...signedIn.user, permissions }, signedIn.session);
}

/**
 * A resolved session as the app sees it. The session without its `sid` is copied only when read:
 * most pages read the user alone, and without the session cache every request makes one of these.
 */
class SeenSession implements ContextSession {
  /** Held privately: the sid must not show where the context is logged or inspected. */
  readonly #record: SessionRecord;
  #session: Omit<SessionRecord, "sid"> | undefined;

  constructor(
    readonly user: EntranceUser,
    record: SessionRecord,
  ) {
    this.#record = record;
  }

  get session(): Omit<SessionRecord, "sid"> {
    if (this.#session === undefined) {
      const { sid: _sid, ...session } = this.#record;
      this.#session = session;
    }
    return this.#session;
  }
}

/** What the app sees of each session, kept per cached session object. */
export class SessionViews {
  readonly #seen = new WeakMap<SignedIn, ContextSession>();

  constructor(
    private readonly permissionsOf: (user: UserRecord) => string[],
    private readonly cacheSeconds: number,
  ) {}

  /**
   * A session from the process's cache, its user as the core trusts it (a user of an untrusted
   * tenant copied without roles and groups): one look-up per request once made.
   */
  ofCached(signedIn: SignedIn, trust: TenantTrust): ContextSession {
    let seen = this.#seen.get(signedIn);
    if (!seen) {
      const user = trust.apply(signedIn.user);
      const view = user === signedIn.user ? signedIn : { ...signedIn, user };
      seen = contextSession(view, this.permissionsOf(user));
      this.#seen.set(signedIn, seen);
    }
    return seen;
  }

  /** A session resolved from the store, its user already the trusted one. */
  of(signedIn: SignedIn): ContextSession {
    // Without the session cache every request resolves a new object: remembering what the app
    // sees of it would only fill the weak map with keys that die with the request.
    if (this.cacheSeconds === 0) return contextSession(signedIn, this.permissionsOf(signedIn.user));
    let seen = this.#seen.get(signedIn);
    if (!seen) {
      seen = contextSession(signedIn, this.permissionsOf(signedIn.user));
      this.#seen.set(signedIn, seen);
    }
    return seen;
  }
}
