/**
 * The storage contracts of Entrance: small and shaped by what the flows need, so that a store is a
 * few queries. Every store (memory, SQLite, PostgreSQL, Redis) passes the same conformance suite.
 * Expected absences are `null`; failures throw.
 *
 * The contracts come in two sides, so that an app can keep each where it fits best:
 *
 * - the **session side** ({@link SessionSideStore}): sessions, login transactions, token
 *   partitions and locks. Read or written on nearly every request, by key, with expiry: key-value
 *   shaped, the hot path (Redis fits it).
 * - the **directory side** ({@link DirectoryStore}): users, listed and searched by
 *   administrators, and the audit log. Query shaped (SQL fits it).
 *
 * Entrance consumes an {@link EntranceStore}, which is both sides in one object. A store that
 * implements both (the memory store, the SQL stores) is one, and is also usable as either side;
 * `composeStores({ session, directory })` builds one from two stores.
 */

/**
 * What kind of account a user signed in with: a `member` of the tenant that issued the token, a
 * `guest` in it (invited from another tenant or as a personal account: Entra B2B), or a `personal`
 * Microsoft account (tenant `9188040d-6c67-4c5b-b112-36a304b66dad`, signed in under `consumers`
 * or `common`), or a `customer` of a customer tenant (Azure AD B2C, Entra External ID).
 */
export type AccountKind = "member" | "guest" | "personal" | "customer";

/** A signed-in user, keyed by tenant id and object id — never by e-mail or username. */
export interface UserRecord {
  /** `tid`: the tenant the user signed in through. */
  readonly tenantId: string;
  /** `oid`: immutable within the tenant. */
  readonly objectId: string;
  /**
   * Member of the tenant, guest in it, or personal Microsoft account, as the ID token's claims
   * said at the last sign-in. Absent in records written before kinds were kept: read as `member`.
   */
  readonly accountKind?: AccountKind;
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
  /**
   * The user's groups as last resolved through Microsoft Graph, for a user whose token carried the
   * overage marker; null when never resolved. Kept across sign-ins: only
   * {@link UserStore.setResolvedGroups} changes it for an existing user.
   */
  readonly resolvedGroups: { readonly ids: readonly string[]; readonly resolvedAt: Date } | null;
}

export interface UserStore {
  get(tenantId: string, objectId: string): Promise<UserRecord | null>;
  /**
   * Creates the user or updates the profile fields; `firstSignInAt`, `disabled` and
   * `resolvedGroups` of an existing user are kept (a new user is stored as given). Returns the
   * stored record.
   */
  upsert(user: UserRecord): Promise<UserRecord>;
  /** Disables or enables a user (an administrator's act); false when there is no such user. */
  setDisabled(tenantId: string, objectId: string, disabled: boolean): Promise<boolean>;
  /**
   * Stores the groups resolved for a user (the ids in the order given), or clears them with null;
   * false when there is no such user.
   */
  setResolvedGroups(
    tenantId: string,
    objectId: string,
    resolved: { ids: readonly string[]; resolvedAt: Date } | null,
  ): Promise<boolean>;
  /**
   * A page of users, for an administrator's list: those whose display name, username, mail,
   * object id or tenant id contains `query`, or all users when there is no query. The query is
   * literal text (`%`, `_` and `\` match themselves) compared case-insensitively. Ordered by
   * `lastSignInAt`, newest first, then by tenant id and object id, so pages are stable. `total`
   * counts every match, not just the page. With `accountKind`, only users of that kind match (a
   * record written without a kind counts as `member`).
   *
   * @param options.limit - users per page, a whole number from 1 to 500 (a RangeError otherwise).
   * @param options.offset - users to skip, a whole number ≥ 0 (a RangeError otherwise).
   * @example
   * ```ts
   * const { users, total } = await store.users.list({ query: "contoso", limit: 50, offset: 0 });
   * ```
   */
  list(options: {
    query?: string;
    accountKind?: AccountKind;
    limit: number;
    offset: number;
  }): Promise<{ users: UserRecord[]; total: number }>;
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
  /**
   * Removes sessions whose idle or absolute expiry is at or before `now` (abandoned sessions are
   * never resolved again, so nothing else would); returns how many.
   */
  deleteExpired(now: Date): Promise<number>;
}

/**
 * Each user's tokens in a partition of their own (MSAL's cache for that account), already
 * encrypted by the caller: a store never sees a token in the clear. A partition has two parts:
 * `data` (the whole cache, several kilobytes) and an optional small `index` (the access tokens a
 * cache hit reads), stored so that reading the index does not read the data.
 */
export interface TokenStore {
  /** The partition's data, byte for byte as put; null when there is no partition. */
  get(partition: string): Promise<Uint8Array | null>;
  /**
   * The partition's index alone, byte for byte as put; null when there is no partition or it was
   * put without an index (e.g. written by a version before indexes: the caller then reads `get`).
   */
  getIndex(partition: string): Promise<Uint8Array | null>;
  /**
   * Replaces the partition's data and index together, atomically: a concurrent reader sees both
   * old parts or both new, never one of each. Without `index`, the partition has none afterwards.
   */
  put(partition: string, data: Uint8Array, index?: Uint8Array): Promise<void>;
  /** Removes both parts; nothing happens when there is no partition. */
  delete(partition: string): Promise<void>;
}

/** Who a login transaction belongs to, and how many of theirs may be pending at once. */
export interface TransactionOwner {
  /** The browser binding's hash: only a callback from that browser can take the transaction. */
  readonly id: string;
  /**
   * The most unexpired transactions this owner may have; a put beyond it removes that owner's
   * oldest (earliest stored) first, so a browser cannot hold more than this many.
   */
  readonly maxPending: number;
}

/**
 * Short-lived login transactions: written once, taken once, by the browser that started them.
 * Bounded: per owner by {@link TransactionOwner.maxPending}; in total by the caller, which reads
 * {@link TransactionStore.countPending} before it puts.
 */
export interface TransactionStore {
  /** Stores `value` under `key` for `ttlSeconds`, owned by `owner.id` (see {@link TransactionOwner}). */
  put(key: string, value: string, ttlSeconds: number, owner: TransactionOwner): Promise<void>;
  /**
   * Returns the value and removes it in one atomic step, so that two concurrent takes of one key
   * never both succeed; null when absent, expired, or owned by another owner — and then a
   * transaction of another owner is left as it was (someone who learnt the key cannot spend it).
   */
  take(key: string, owner: string): Promise<string | null>;
  /** How many unexpired transactions the store holds, of every owner. */
  countPending(): Promise<number>;
  /** Removes expired transactions; returns how many were removed. */
  deleteExpired(): Promise<number>;
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

/** Every audit event type, for stores to check what they store and read back. */
export const AUDIT_EVENT_TYPES = [
  "sign_in",
  "sign_in_failed",
  "sign_out",
  "session_ended",
  "tokens_evicted",
  "user_disabled",
  "user_enabled",
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Whether `value` is one of the audit event types. */
export function isAuditEventType(value: unknown): value is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly unknown[]).includes(value);
}

/** One entry of the audit log: who signed in or failed to, and what administrators did. */
export interface AuditEvent {
  /**
   * Assigned by the store: unique within it, and a later append gets a greater id. It is a
   * decimal integer (a sequence), so compare ids as numbers (`BigInt(id)`), not as text.
   */
  readonly id: string;
  readonly at: Date;
  readonly type: AuditEventType;
  /** The user the event is about (tenant id), when known. */
  readonly tenantId: string | null;
  /** The user the event is about (object id), when known. */
  readonly objectId: string | null;
  /** Who did it, for an administrator's act: their ids and display name or username. */
  readonly actor: {
    readonly tenantId: string;
    readonly objectId: string;
    readonly name: string | null;
  } | null;
  /** Short text for people to read; never a token or another secret. */
  readonly detail: string;
  /** The Entra error code (`AADSTS50105` → 50105) of a failed sign-in. */
  readonly aadsts: number | null;
  readonly ip: string | null;
  /**
   * How many occurrences this event stands for: 1, unless repeats of it (the same failure from
   * the same address) were folded into it with {@link AuditStore.addCount}.
   */
  readonly count: number;
}

/**
 * The audit log: append-only for Entrance, listed by administrators. Entrance enforces how long
 * events are kept through {@link AuditStore.prune} (the memory store also keeps at most its
 * newest 10,000).
 */
export interface AuditStore {
  /** Records an event (`count` 1 unless given); returns it as stored, with its id. */
  append(
    event: Omit<AuditEvent, "id" | "count"> & { readonly count?: number },
  ): Promise<AuditEvent>;
  /**
   * Adds `by` (a whole number ≥ 1) to an event's count, folding repeats into it instead of a row
   * each; false when there is no such event (it was pruned).
   */
  addCount(id: string, by: number): Promise<boolean>;
  /**
   * Removes events older than `before` and, of the rest, all but the newest `keep` (by id);
   * returns how many were removed.
   */
  prune(options: { readonly before: Date; readonly keep: number }): Promise<number>;
  /**
   * A page of events, newest first (by `at`; events of one millisecond newest-appended first).
   * Filters combine with AND; `query` matches `detail` (literal text, case-insensitive, as in
   * {@link UserStore.list}). `total` counts every match, not just the page.
   *
   * @param filter.limit - events per page, a whole number from 1 to 500 (a RangeError otherwise).
   * @param filter.offset - events to skip, a whole number ≥ 0 (a RangeError otherwise).
   * @example
   * ```ts
   * const { events } = await store.audit.list({ type: "sign_in_failed", limit: 20, offset: 0 });
   * ```
   */
  list(filter: {
    type?: AuditEventType;
    tenantId?: string;
    objectId?: string;
    query?: string;
    limit: number;
    offset: number;
  }): Promise<{ events: AuditEvent[]; total: number }>;
}

/** A session and its user as {@link EntranceStore.signedIn} reads them. */
export interface StoredSignedIn {
  readonly session: SessionRecord;
  /** Null when the session's user is not stored. */
  readonly user: UserRecord | null;
}

/**
 * The session side of a store: what Entrance reads and writes on nearly every request, by key and
 * with expiry — sessions, login transactions, token partitions and locks. Key-value shaped, so a
 * Redis store can implement it alone; pair it with a {@link DirectoryStore} through
 * `composeStores`.
 */
export interface SessionSideStore {
  readonly sessions: SessionStore;
  readonly tokens: TokenStore;
  readonly transactions: TransactionStore;
  /** Cross-instance locks, where the store can offer them (a shared database or Redis). */
  readonly locks?: LockStore;
  /**
   * Resolves once the store has answered a trivial request (e.g. `PING`, `select 1`); rejects
   * when it cannot (server down, store closed). For health checks: see `storeHealth`.
   */
  ping?(): Promise<void>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * The directory side of a store: the users, listed and searched by administrators, and the
 * audit log. Query shaped (filters, text search, counts, pages), so SQL fits it; pair it with a
 * {@link SessionSideStore} through `composeStores`.
 */
export interface DirectoryStore {
  readonly users: UserStore;
  readonly audit: AuditStore;
  /** As {@link SessionSideStore.ping}. */
  ping?(): Promise<void>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/**
 * Everything Entrance keeps: both sides in one object. A store that implements both sides (the
 * memory store, the SQL stores) is an `EntranceStore` as it is, and also passes as either side
 * alone (the other side's parts then go unused); `composeStores` makes one of two stores.
 */
export interface EntranceStore extends SessionSideStore, DirectoryStore {
  /**
   * The session with this id hash and its user, read together: what a signed-in request reads
   * when its session is not cached in process. It answers exactly what `sessions.get(idHash)` and
   * then `users.get(session.tenantId, session.objectId)` would (null when there is no such
   * session; `user` null when the session's user is not stored), with the same errors. Entrance
   * checks the answer's keys and fails the request (`store_failed`) on any other session or user.
   *
   * Optional, and looked up on every read: a store that keeps both in one database offers one
   * query (one round trip, one statement), and may offer it only once it can answer it (a
   * deferred store, once its store has opened and has one); without it, Entrance makes the two
   * reads. Entrance's SQL stores define it as a non-enumerable property, so that a copy made by
   * spreading a store (`{ ...store, sessions: other }`), whose parts may differ, does not carry it.
   */
  readonly signedIn?: ((idHash: string) => Promise<StoredSignedIn | null>) | undefined;
  /** Releases connections of both sides; the store is unusable afterwards. */
  close(): Promise<void>;
}
