/**
 * The storage contracts of Entrance: small and shaped by what the flows need, so that a store is a
 * few queries. Every store (memory, SQLite, PostgreSQL, Redis) passes the same conformance suite.
 * Expected absences are `null`; failures throw.
 */

/** A signed-in user, keyed by tenant id and object id — never by e-mail or username. */
export interface UserRecord {
  /** `tid`: the tenant the user signed in through. */
  readonly tenantId: string;
  /** `oid`: immutable within the tenant. */
  readonly objectId: string;
  readonly displayName: string | null;
  /** `preferred_username` (mutable; for display only). */
  readonly username: string | null;
  /** `email` (unverified, mutable; for display only). */
  readonly mail: string | null;
  /** App roles from the token's `roles`. */
  readonly roles: readonly string[];
  /** Group object ids as the token gave them (empty when `groupsOverage` is true). */
  readonly groups: readonly string[];
  /** The token carried the overage marker instead of the groups: they must be resolved via Graph. */
  readonly groupsOverage: boolean;
  readonly firstSignInAt: Date;
  readonly lastSignInAt: Date;
  /** A disabled user's sign-ins are refused. */
  readonly disabled: boolean;
}

export interface UserStore {
  get(tenantId: string, objectId: string): Promise<UserRecord | null>;
  /**
   * Creates the user or updates the profile fields; `firstSignInAt` and `disabled` of an existing
   * user are kept. Returns the stored record.
   */
  upsert(user: UserRecord): Promise<UserRecord>;
  /** Disables or enables a user (an administrator's act); false when there is no such user. */
  setDisabled(tenantId: string, objectId: string, disabled: boolean): Promise<boolean>;
}

/** A server-side session. The browser holds a random id; the store only its SHA-256. */
export interface SessionRecord {
  /** base64url SHA-256 of the cookie value. */
  readonly idHash: string;
  readonly tenantId: string;
  readonly objectId: string;
  /** The Entra session id (`sid` claim), for front-channel logout. */
  readonly sid: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** When the session ends if not used (idle timeout); moved forward on use. */
  readonly idleExpiresAt: Date;
  /** When the session ends whatever happens (absolute timeout). */
  readonly absoluteExpiresAt: Date;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  /** The session, or null when absent. Expiry is the caller's to check. */
  get(idHash: string): Promise<SessionRecord | null>;
  /** Records use of a session: new last-seen time and idle expiry. */
  touch(idHash: string, lastSeenAt: Date, idleExpiresAt: Date): Promise<void>;
  delete(idHash: string): Promise<void>;
  /** Ends every session carrying an Entra `sid`; returns the users whose sessions ended. */
  deleteBySid(sid: string): Promise<{ tenantId: string; objectId: string }[]>;
  /** Ends every session of a user; returns how many. */
  deleteByUser(tenantId: string, objectId: string): Promise<number>;
  /** A user's sessions, newest first (expired ones included until they are removed). */
  listByUser(tenantId: string, objectId: string): Promise<SessionRecord[]>;
}

/**
 * Each user's tokens in a partition of their own (MSAL's cache for that account), already
 * encrypted by the caller: a store never sees a token in the clear.
 */
export interface TokenStore {
  get(partition: string): Promise<Uint8Array | null>;
  put(partition: string, data: Uint8Array): Promise<void>;
  delete(partition: string): Promise<void>;
}

/** Short-lived login transactions: written once, taken once. */
export interface TransactionStore {
  /** Stores `value` under `key` for `ttlSeconds`. */
  put(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Returns the value and removes it in one atomic step, so that two concurrent takes of one key
   * never both succeed; null when absent or expired.
   */
  take(key: string): Promise<string | null>;
}

/**
 * Locks shared by every app instance using the store, so that one user's refresh token is used by
 * one instance at a time. Optional: without it, refreshes are single-flight within a process.
 */
export interface LockStore {
  /**
   * Takes `key` for at most `ttlSeconds` (a crashed holder cannot block others for longer);
   * returns the release, or null when another holder has it.
   */
  acquire(key: string, ttlSeconds: number): Promise<(() => Promise<void>) | null>;
}

/** Everything Entrance keeps. */
export interface EntranceStore {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly tokens: TokenStore;
  readonly transactions: TransactionStore;
  /** Cross-instance locks, where the store can offer them (a shared database or Redis). */
  readonly locks?: LockStore;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
