/**
 * One {@link EntranceStore} made of two stores: the session side from one (e.g. Redis, for the
 * hot path) and the directory side from another (e.g. SQL, for the admin panel's queries).
 */
import type { DirectoryStore, EntranceStore, SessionSideStore } from "./types.js";

/** The two stores {@link composeStores} joins. */
export interface StoreSides {
  /** Keeps sessions, login transactions, token partitions and locks. */
  readonly session: SessionSideStore;
  /** Keeps the users and the audit log. */
  readonly directory: DirectoryStore;
}

/**
 * Joins a session side and a directory side into the one store Entrance consumes. The parts are
 * used as they are (no copies, no extra hop); `locks` is the session side's, absent when it has
 * none; `ping` pings both. Any store that implements both sides (the memory store, the SQL stores) fits either role.
 *
 * `close()` closes each store once, even when one object is passed as both sides, and repeated
 * calls return the first call's promise. Both are closed even if one fails; the failure is
 * rethrown afterwards (an `AggregateError` when both fail).
 *
 * @throws TypeError when a side lacks one of its parts (e.g. a store of the wrong kind).
 * @example
 * ```ts
 * const store = composeStores({
 *   session: createMemoryStore(),
 *   directory: await openSqlStore(process.env.DATABASE_URL ?? "./data/entrance.db"),
 * });
 * ```
 */
export function composeStores(sides: StoreSides): EntranceStore {
  const { session, directory } = sides;
  requireParts("session", session, ["sessions", "tokens", "transactions"]);
  requireParts("directory", directory, ["users", "audit"]);
  const stores: readonly (SessionSideStore | DirectoryStore)[] = Object.is(session, directory)
    ? [session]
    : [session, directory];
  let closing: Promise<void> | undefined;
  return {
    sessions: session.sessions,
    tokens: session.tokens,
    transactions: session.transactions,
    ...(session.locks ? { locks: session.locks } : {}),
    users: directory.users,
    audit: directory.audit,
    ping: () => pingEach(session, directory),
    close() {
      closing ??= closeEach(stores);
      return closing;
    },
  };
}

/**
 * Pings both sides (one store once), each that can be pinged; rejects naming the side that did
 * not answer.
 */
async function pingEach(session: SessionSideStore, directory: DirectoryStore): Promise<void> {
  const sides = Object.is(session, directory)
    ? [["store", session] as const]
    : ([
        ["session side", session],
        ["directory side", directory],
      ] as const);
  await Promise.all(
    sides.map(async ([name, store]) => {
      try {
        await store.ping?.();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`The ${name} did not answer: ${reason}`, { cause: error });
      }
    }),
  );
}

/** Closes every store even when one fails, then rethrows what failed. */
async function closeEach(stores: readonly { close(): Promise<void> }[]): Promise<void> {
  // `async` turns a close() that throws synchronously into a rejection, so the others still run.
  const results = await Promise.allSettled(stores.map(async (store) => store.close()));
  const failures = results.flatMap((result) =>
    result.status === "rejected" ? [result.reason as unknown] : [],
  );
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AggregateError(failures, "Both stores failed to close (see `errors`)");
  }
}

/** Fails at composition, not at the first request, when a side is not the store it should be. */
function requireParts(
  side: keyof StoreSides,
  store: object | null | undefined,
  parts: readonly string[],
): void {
  const missing = [...parts, "close"].filter(
    (part) => store == null || (store as Record<string, unknown>)[part] == null,
  );
  if (missing.length > 0) {
    throw new TypeError(
      `composeStores: the ${side} side has no ${missing.join(", ")}; pass a store that ` +
        `implements ${side === "session" ? "SessionSideStore" : "DirectoryStore"} ` +
        "(createMemoryStore() and the @entrance/store-sql stores implement both)",
    );
  }
}
