/**
 * An in-memory {@link EntranceStore} for unit tests and single-process development. It keeps the
 * same promises as the SQL and Redis stores (it passes the same conformance suite): records are
 * copied in and out, login transactions expire and are taken once, by their owner. Everything is
 * lost when the process ends, and two processes never share it: use `@entrance/store-sql` for
 * anything else. The audit log is bounded: it keeps the newest 10,000 events (see
 * `maxAuditEvents`). Each part lives in `memory/`.
 *
 * It implements both sides of the contract, so it also serves as either side alone in
 * `composeStores`: e.g. `composeStores({ session: createMemoryStore(), directory: sqlStore })` for a
 * single-process app that keeps its users and audit log in SQL.
 */
import { memoryAudit } from "./memory/audit.js";
import { memorySessions } from "./memory/sessions.js";
import { memoryLocks, memoryTokens } from "./memory/tokens.js";
import { memoryTransactions } from "./memory/transactions.js";
import { memoryUsers } from "./memory/users.js";
import type { EntranceStore } from "./types.js";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock for login-transaction and lock expiry, in epoch milliseconds; `Date.now` by default. */
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
 * const browser = { id: "binding-hash", maxPending: 10 };
 * await store.transactions.put("state-1", "{}", 600, browser);
 * await store.transactions.take("state-1", browser.id); // "{}", then null on the next take
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
    ping: open,
    async close() {
      closed = true;
    },
  };
}
