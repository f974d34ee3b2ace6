import type { EntranceStore } from "./types.js";

/**
 * A store usable at once whose real store is still opening (a database file being migrated, a
 * pool connecting): each call waits for it. If opening fails, every call fails with that error.
 */
export function deferredStore(opening: Promise<EntranceStore>): EntranceStore {
  // Keep an unhandled rejection from crashing the process before the first call sees it.
  opening.catch(() => {});
  const part = <K extends Exclude<keyof EntranceStore, "close" | "locks" | "ping">>(
    key: K,
  ): EntranceStore[K] =>
    new Proxy({} as EntranceStore[K], {
      get:
        (_, method: string) =>
        async (...args: unknown[]) => {
          const target = (await opening)[key] as unknown as Record<
            string,
            (...a: unknown[]) => unknown
          >;
          const fn = target[method];
          if (typeof fn !== "function") throw new TypeError(`the store has no ${key}.${method}`);
          return fn.apply(target, args);
        },
    });
  return {
    users: part("users"),
    sessions: part("sessions"),
    tokens: part("tokens"),
    transactions: part("transactions"),
    audit: part("audit"),
    locks: {
      // A store without locks gets none: refreshes stay single-flight within the process.
      acquire: async (key, ttlSeconds) => {
        const locks = (await opening).locks;
        return locks ? locks.acquire(key, ttlSeconds) : async () => {};
      },
    },
    // Until the store has opened, it has not answered either.
    ping: async () => (await opening).ping?.(),
    close: async () => (await opening).close(),
  };
}
