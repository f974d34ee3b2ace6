/** The memory store's token partitions and locks: the small parts, one process only. */
import type { LockStore, TokenStore } from "../types.js";
import { type Guard, ttlMilliseconds } from "./shared.js";

/** Encrypted token partitions, copied in and out; both parts in one entry, replaced at once. */
export function memoryTokens(open: Guard): TokenStore {
  const partitions = new Map<string, { data: Uint8Array; index: Uint8Array | null }>();
  return {
    async get(partition) {
      await open();
      const stored = partitions.get(partition);
      return stored ? new Uint8Array(stored.data) : null;
    },
    async getIndex(partition) {
      await open();
      const index = partitions.get(partition)?.index;
      return index ? new Uint8Array(index) : null;
    },
    async put(partition, data, index) {
      await open();
      // `new Uint8Array(view)` copies exactly the view's bytes; Buffer#slice would share memory.
      partitions.set(partition, {
        data: new Uint8Array(data),
        index: index ? new Uint8Array(index) : null,
      });
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
