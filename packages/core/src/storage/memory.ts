/**
 * An in-memory {@link EntranceStore} for unit tests and single-process development. It keeps the
 * same promises as the SQL and Redis stores (it passes the same conformance suite): records are
 * copied in and out, login transactions expire and are taken once. Everything is lost when the
 * process ends, and two processes never share it: use `@entrance/store-sql` for anything else.
 * The audit log is bounded: it keeps the newest 10,000 events (see `maxAuditEvents`).
 */
import type {
  AuditEvent,
  AuditStore,
  EntranceStore,
  LockStore,
  SessionRecord,
  SessionStore,
  TokenStore,
  TransactionStore,
  UserRecord,
  UserStore,
} from "./types.js";
import { isAuditEventType } from "./types.js";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock for login-transaction expiry, in epoch milliseconds; `Date.now` by default. */
  readonly now?: () => number;
  /**
   * How many audit events to keep, 10,000 by default: appending one more drops the oldest
   * appended, so a long-running process does not grow without bound.
   */
  readonly maxAuditEvents?: number;
}

const DEFAULT_MAX_AUDIT_EVENTS = 10_000;

/**
 * Creates an empty in-memory store.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * await store.transactions.put("state-1", "{}", 600);
 * await store.transactions.take("state-1"); // "{}", then null on the next take
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): EntranceStore {
  const now = options.now ?? Date.now;
  const maxAuditEvents = options.maxAuditEvents ?? DEFAULT_MAX_AUDIT_EVENTS;
  if (!Number.isSafeInteger(maxAuditEvents) || maxAuditEvents < 1) {
    throw new RangeError(
      `maxAuditEvents must be a whole number ≥ 1, got ${String(maxAuditEvents)}`,
    );
  }
  let closed = false;
  // Every operation is async like a real store's, so callers cannot come to rely on synchronous
  // effects, and fails after close() as the others do.
  const open = async (): Promise<void> => {
    if (closed) throw new Error("The Entrance memory store is closed");
  };
  return {
    users: memoryUsers(open),
    sessions: memorySessions(open),
    tokens: memoryTokens(open),
    transactions: memoryTransactions(open, now),
    locks: memoryLocks(open, now),
    audit: memoryAudit(open, maxAuditEvents),
    async close() {
      closed = true;
    },
  };
}

type Guard = () => Promise<void>;

/** Locks for every Entrance instance sharing this store object (one process). */
function memoryLocks(open: Guard, now: () => number): LockStore {
  const held = new Map<string, { token: symbol; until: number }>();
  return {
    async acquire(key, ttlSeconds) {
      await open();
      // A TTL of Infinity would let a crashed holder block the key forever, NaN never hold it.
      const ttl = ttlMilliseconds(ttlSeconds);
      const time = now();
      const current = held.get(key);
      if (current && current.until > time) return null;
      const token = Symbol(key);
      held.set(key, { token, until: time + ttl });
      return async () => {
        if (held.get(key)?.token === token) held.delete(key);
      };
    },
  };
}

function copyDate(date: Date, field: string): Date {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new TypeError(`${field} is not a valid Date`);
  return new Date(time);
}

function copyUser(user: UserRecord): UserRecord {
  return {
    tenantId: user.tenantId,
    objectId: user.objectId,
    displayName: user.displayName,
    username: user.username,
    mail: user.mail,
    roles: [...user.roles],
    groups: [...user.groups],
    groupsOverage: user.groupsOverage,
    firstSignInAt: copyDate(user.firstSignInAt, "firstSignInAt"),
    lastSignInAt: copyDate(user.lastSignInAt, "lastSignInAt"),
    disabled: user.disabled,
    resolvedGroups: copyResolvedGroups(user.resolvedGroups ?? null),
  };
}

function copyResolvedGroups(resolved: UserRecord["resolvedGroups"]): UserRecord["resolvedGroups"] {
  if (resolved === null) return null;
  return { ids: [...resolved.ids], resolvedAt: copyDate(resolved.resolvedAt, "resolvedAt") };
}

/** Checks a page's `limit` (1 to 500) and `offset` (≥ 0), the same way every store does. */
function checkPage(limit: number, offset: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) {
    throw new RangeError(`limit must be a whole number from 1 to 500, got ${String(limit)}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a whole number ≥ 0, got ${String(offset)}`);
  }
}

/**
 * A literal, case-insensitive "contains", for `query` filters: a missing or empty query matches
 * everything, and no character is a wildcard.
 */
function containsQuery(query: string | undefined): (text: string | null) => boolean {
  if (query === undefined || query === "") return () => true;
  const needle = query.toLowerCase();
  return (text) => text?.toLowerCase().includes(needle) === true;
}

/** Orders users for `list`: last sign-in newest first, then tenant id and object id. */
function byLastSignIn(a: UserRecord, b: UserRecord): number {
  return (
    b.lastSignInAt.getTime() - a.lastSignInAt.getTime() ||
    compareText(a.tenantId, b.tenantId) ||
    compareText(a.objectId, b.objectId)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copySession(session: SessionRecord): SessionRecord {
  return {
    idHash: session.idHash,
    tenantId: session.tenantId,
    objectId: session.objectId,
    sid: session.sid,
    createdAt: copyDate(session.createdAt, "createdAt"),
    lastSeenAt: copyDate(session.lastSeenAt, "lastSeenAt"),
    idleExpiresAt: copyDate(session.idleExpiresAt, "idleExpiresAt"),
    absoluteExpiresAt: copyDate(session.absoluteExpiresAt, "absoluteExpiresAt"),
    ip: session.ip,
    userAgent: session.userAgent,
  };
}

/** A collision-free composite key: JSON keeps any separator inside the parts unambiguous. */
function userKey(tenantId: string, objectId: string): string {
  return JSON.stringify([tenantId, objectId]);
}

function memoryUsers(open: Guard): UserStore {
  const users = new Map<string, UserRecord>();
  return {
    async get(tenantId, objectId) {
      await open();
      const user = users.get(userKey(tenantId, objectId));
      return user ? copyUser(user) : null;
    },
    async upsert(user) {
      await open();
      const key = userKey(user.tenantId, user.objectId);
      const existing = users.get(key);
      const incoming = copyUser(user);
      const stored: UserRecord = existing
        ? {
            ...incoming,
            firstSignInAt: existing.firstSignInAt,
            disabled: existing.disabled,
            resolvedGroups: existing.resolvedGroups,
          }
        : incoming;
      users.set(key, stored);
      return copyUser(stored);
    },
    async setDisabled(tenantId, objectId, disabled) {
      await open();
      const key = userKey(tenantId, objectId);
      const existing = users.get(key);
      if (!existing) return false;
      users.set(key, { ...existing, disabled });
      return true;
    },
    async setResolvedGroups(tenantId, objectId, resolved) {
      await open();
      const key = userKey(tenantId, objectId);
      const existing = users.get(key);
      const resolvedGroups = copyResolvedGroups(resolved);
      if (!existing) return false;
      users.set(key, { ...existing, resolvedGroups });
      return true;
    },
    async list({ query, limit, offset }) {
      await open();
      checkPage(limit, offset);
      const matches = containsQuery(query);
      const found = [...users.values()]
        .filter(
          (user) =>
            matches(user.displayName) ||
            matches(user.username) ||
            matches(user.mail) ||
            matches(user.objectId) ||
            matches(user.tenantId),
        )
        .sort(byLastSignIn);
      return { users: found.slice(offset, offset + limit).map(copyUser), total: found.length };
    },
  };
}

function memorySessions(open: Guard): SessionStore {
  const sessions = new Map<string, SessionRecord>();
  return {
    async create(session) {
      await open();
      const copy = copySession(session);
      // Like a primary key: an id hash is never reused, so a second create is a bug to surface.
      if (sessions.has(copy.idHash)) throw new Error("A session with this id hash already exists");
      sessions.set(copy.idHash, copy);
    },
    async get(idHash) {
      await open();
      const session = sessions.get(idHash);
      return session ? copySession(session) : null;
    },
    async touch(idHash, lastSeenAt, idleExpiresAt) {
      await open();
      const session = sessions.get(idHash);
      const seen = copyDate(lastSeenAt, "lastSeenAt");
      const idle = copyDate(idleExpiresAt, "idleExpiresAt");
      if (session) sessions.set(idHash, { ...session, lastSeenAt: seen, idleExpiresAt: idle });
    },
    async delete(idHash) {
      await open();
      sessions.delete(idHash);
    },
    async deleteBySid(sid) {
      await open();
      const ended = new Map<string, { tenantId: string; objectId: string }>();
      for (const [idHash, session] of sessions) {
        if (session.sid !== sid) continue;
        sessions.delete(idHash);
        const { tenantId, objectId } = session;
        ended.set(userKey(tenantId, objectId), { tenantId, objectId });
      }
      return [...ended.values()];
    },
    async deleteByUser(tenantId, objectId) {
      await open();
      let count = 0;
      for (const [idHash, session] of sessions) {
        if (session.tenantId !== tenantId || session.objectId !== objectId) continue;
        sessions.delete(idHash);
        count += 1;
      }
      return count;
    },
    async listByUser(tenantId, objectId) {
      await open();
      return [...sessions.values()]
        .filter((session) => session.tenantId === tenantId && session.objectId === objectId)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map(copySession);
    },
  };
}

function memoryTokens(open: Guard): TokenStore {
  const partitions = new Map<string, Uint8Array>();
  return {
    async get(partition) {
      await open();
      const data = partitions.get(partition);
      return data ? new Uint8Array(data) : null;
    },
    async put(partition, data) {
      await open();
      // `new Uint8Array(view)` copies exactly the view's bytes; Buffer#slice would share memory.
      partitions.set(partition, new Uint8Array(data));
    },
    async delete(partition) {
      await open();
      partitions.delete(partition);
    },
  };
}

/** Milliseconds for a TTL in seconds; a TTL that is not a positive finite number is a bug. */
function ttlMilliseconds(ttlSeconds: number): number {
  if (typeof ttlSeconds !== "number" || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive finite number, got ${String(ttlSeconds)}`);
  }
  return Math.ceil(ttlSeconds * 1000);
}

function memoryTransactions(open: Guard, now: () => number): TransactionStore {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  return {
    async put(key, value, ttlSeconds) {
      await open();
      const ttl = ttlMilliseconds(ttlSeconds);
      const time = now();
      for (const [other, entry] of entries) {
        if (entry.expiresAt <= time) entries.delete(other);
      }
      entries.set(key, { value, expiresAt: time + ttl });
    },
    async take(key) {
      await open();
      const entry = entries.get(key);
      // The lookup and the delete run with no await in between: that is the atomic step.
      entries.delete(key);
      return entry && entry.expiresAt > now() ? entry.value : null;
    },
  };
}

function copyAuditEvent(event: AuditEvent): AuditEvent {
  if (!isAuditEventType(event.type)) {
    throw new TypeError(`type must be an audit event type, got ${String(event.type)}`);
  }
  if (event.aadsts !== null && !Number.isSafeInteger(event.aadsts)) {
    throw new TypeError(`aadsts must be a whole number or null, got ${String(event.aadsts)}`);
  }
  return {
    id: event.id,
    at: copyDate(event.at, "at"),
    type: event.type,
    tenantId: event.tenantId,
    objectId: event.objectId,
    actor: event.actor && {
      tenantId: event.actor.tenantId,
      objectId: event.actor.objectId,
      name: event.actor.name,
    },
    detail: event.detail,
    aadsts: event.aadsts,
    ip: event.ip,
  };
}

/**
 * The audit log, in append order, bounded to the newest `maxEvents` appended. Ids are a sequence,
 * so same-millisecond events sort by when they were appended.
 */
function memoryAudit(open: Guard, maxEvents: number): AuditStore {
  const events: AuditEvent[] = [];
  let sequence = 0;
  return {
    async append(event) {
      await open();
      // Copied (and checked) before the sequence moves, so a rejected event uses up no id.
      const stored = copyAuditEvent({ ...event, id: String(sequence + 1) });
      sequence += 1;
      events.push(stored);
      if (events.length > maxEvents) events.splice(0, events.length - maxEvents);
      return copyAuditEvent(stored);
    },
    async list({ type, tenantId, objectId, query, limit, offset }) {
      await open();
      checkPage(limit, offset);
      const matches = containsQuery(query);
      const found: AuditEvent[] = [];
      // Newest appended first; a stable sort by time then keeps that order within a millisecond.
      for (let i = events.length - 1; i >= 0; i -= 1) {
        const event = events[i] as AuditEvent;
        if (type !== undefined && event.type !== type) continue;
        if (tenantId !== undefined && event.tenantId !== tenantId) continue;
        if (objectId !== undefined && event.objectId !== objectId) continue;
        if (matches(event.detail)) found.push(event);
      }
      found.sort((a, b) => b.at.getTime() - a.at.getTime());
      return {
        events: found.slice(offset, offset + limit).map(copyAuditEvent),
        total: found.length,
      };
    },
  };
}
