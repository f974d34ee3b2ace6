import type { EntranceStore } from "./types.js";

/**
 * A store usable at once whose real store is still opening (a database file being migrated, a
 * pool connecting): each call waits for it. Given a promise, if opening fails every call fails
 * with that error. Given a function that opens the store, opening starts at once and, after a
 * failure, starts again at the next call (one opening at a time): a store that could not be
 * reached at start-up is used as soon as it answers, without restarting the app.
 */
export function deferredStore(
  opening: Promise<EntranceStore> | (() => Promise<EntranceStore>),
): EntranceStore {
  const open = typeof opening === "function" ? opening : () => opening;
  const retries = typeof opening === "function";
  let current: Promise<EntranceStore> | null = null;
  /** The store, once an opening has succeeded. */
  let ready: EntranceStore | undefined;
  const opened = (): Promise<EntranceStore> => {
    if (current) return current;
    const attempt = open();
    current = attempt;
    // Keeps the opened store for what is offered only once it is open; on failure, keeps an
    // unhandled rejection from crashing the process before a call sees it, and forgets a failed
    // opening so that the next call tries again.
    attempt.then(
      (store) => {
        if (current === attempt) ready = store;
      },
      () => {
        if (retries && current === attempt) current = null;
      },
    );
    return attempt;
  };
  opened();
  const part = <K extends Exclude<keyof EntranceStore, "close" | "locks" | "ping" | "signedIn">>(
    key: K,
  ): EntranceStore[K] =>
    new Proxy({} as EntranceStore[K], {
      get:
        (_, method: string) =>
        async (...args: unknown[]) => {
          const target = (await opened())[key] as unknown as Record<
            string,
            (...a: unknown[]) => unknown
          >;
          const fn = target[method];
          if (typeof fn !== "function") throw new TypeError(`the store has no ${key}.${method}`);
          return fn.apply(target, args);
        },
    });
  const signedIn = async (idHash: string) => {
    const together = ready?.signedIn;
    if (!together) throw new TypeError("the store has no signedIn");
    return together.call(ready, idHash);
  };
  const deferred: EntranceStore = {
    users: part("users"),
    sessions: part("sessions"),
    tokens: part("tokens"),
    transactions: part("transactions"),
    audit: part("audit"),
    locks: {
      // A store without locks gets none: refreshes stay single-flight within the process.
      acquire: async (key, ttlSeconds) => {
        const locks = (await opened()).locks;
        return locks ? locks.acquire(key, ttlSeconds) : async () => {};
      },
    },
    // Until the store has opened, it has not answered either.
    ping: async () => (await opened()).ping?.(),
    // Closes what opened; a failed opening left nothing open, and none is started to close it.
    close: async () => {
      if (retries && current === null) return;
      await (await opened()).close();
    },
  };
  // The opened store's one read of a session with its user, offered once it has opened and only
  // if it has one: until then, and for a store without it (Redis sessions beside SQL users), the
  // core reads the two parts, each waiting for the opening and bounded on its own.
  Object.defineProperty(deferred, "signedIn", {
    get: () => (ready?.signedIn ? signedIn : undefined),
  });
  return deferred;
}
