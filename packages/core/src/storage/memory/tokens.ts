/** The memory store's token partitions and locks: the small parts, one process only. */
import type { LockStore, TokenStore } from "../types.js";
import { type Guard, ttlMilliseconds } from "./shared.js";

/** Encrypted token partitions, copied in and out. */
export function memoryTokens(open: Guard): TokenStore {
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

/** Locks for every Entrance instance sharing this store object (one process). */
export function memoryLocks(open: Guard, now: () => number): LockStore {
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
