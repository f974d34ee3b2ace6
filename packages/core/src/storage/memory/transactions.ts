/**
 * The memory store's login transactions. Bounded without scanning them all: every put drops the
 * expired ones from the front of an insertion-ordered queue and caps its owner's pending ones, so
 * a put costs the same with 100,000 pending as with ten.
 */

import { checkOwner } from "../arguments.js";
import type { TransactionStore } from "../types.js";
import { type Guard, ttlMilliseconds } from "./shared.js";

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
  readonly owner: string;
  /** The TTL in milliseconds: the queue the key is in. */
  readonly ttl: number;
}

/** Adds `key` to the set under `name`, creating the set. */
function addTo<K>(sets: Map<K, Set<string>>, name: K, key: string): void {
  const set = sets.get(name);
  if (set) set.add(key);
  else sets.set(name, new Set([key]));
}

/** Removes `key` from the set under `name`, and the set once empty, so no name lingers. */
function removeFrom<K>(sets: Map<K, Set<string>>, name: K, key: string): void {
  const set = sets.get(name);
  set?.delete(key);
  if (set?.size === 0) sets.delete(name);
}

/** Login transactions, expiring by the store's clock `now`. */
export function memoryTransactions(open: Guard, now: () => number): TransactionStore {
  const entries = new Map<string, Entry>();
  // Keys per TTL, each set in the order stored. Within one TTL that is the order of expiry too
  // (the clock does not run backwards), so the expired keys are at the front: a sweep drops them
  // and stops at the first live one, and visits each entry once in its life rather than every
  // entry on every put. Entrance uses one TTL, so there is one queue; a queue per TTL keeps a
  // short-lived entry from hiding behind a long-lived one, which would leave it counted pending.
  const queues = new Map<number, Set<string>>();
  // Each owner's keys in the order stored: the first is the oldest, the one a cap removes.
  const owners = new Map<string, Set<string>>();

  function add(key: string, entry: Entry): void {
    entries.set(key, entry);
    addTo(queues, entry.ttl, key);
    addTo(owners, entry.owner, key);
  }

  function remove(key: string): void {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    removeFrom(queues, entry.ttl, key);
    removeFrom(owners, entry.owner, key);
  }

  function sweep(time: number): void {
    // Deleting the entry being visited is safe while iterating a Map or a Set.
    for (const queue of queues.values()) {
      for (const key of queue) {
        if ((entries.get(key)?.expiresAt ?? time) > time) break;
        remove(key);
      }
    }
  }

  return {
    async put(key, value, ttlSeconds, owner) {
      await open();
      const ttl = ttlMilliseconds(ttlSeconds);
      checkOwner(owner);
      const time = now();
      sweep(time);
      // A key put again is stored anew: it moves to the back of its queues.
      remove(key);
      add(key, { value, expiresAt: time + ttl, owner: owner.id, ttl });
      // After the sweep every entry is live, so the owner's set holds only pending transactions.
      const mine = owners.get(owner.id);
      while (mine !== undefined && mine.size > owner.maxPending) {
        const oldest = mine.values().next().value;
        if (oldest === undefined) break;
        remove(oldest);
      }
    },
    async take(key, owner) {
      await open();
      // The lookup and the delete run with no await in between: that is the atomic step.
      const entry = entries.get(key);
      // Another owner's transaction stays as it was: whoever learnt the key cannot spend it.
      if (entry === undefined || entry.owner !== owner) return null;
      remove(key);
      return entry.expiresAt > now() ? entry.value : null;
    },
    async countPending() {
      await open();
      sweep(now());
      return entries.size;
    },
    async deleteExpired() {
      await open();
      // Every entry, not just the queues' fronts: this is the full sweep, for a clock that jumped.
      const time = now();
      let removed = 0;
      for (const [key, entry] of entries) {
        if (entry.expiresAt > time) continue;
        remove(key);
        removed += 1;
      }
      return removed;
    },
  };
}
