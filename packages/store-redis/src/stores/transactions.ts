import { checkOwner, type TransactionStore, ttlMilliseconds } from "@entrance/core";
import type { Connection } from "../connection.js";
import { corrupt, readFailure } from "../records.js";

/**
 * Login transactions, kept per owner (browser): a hash of key → value and a sorted set of their
 * expiries, both under the owner's hash tag, so that the put with its per-owner cap and the
 * atomic take are each one script in one slot. A take names its owner, so it only ever looks at
 * that owner's transactions: one from another browser finds nothing and changes nothing.
 *
 * `countPending` reads one more sorted set, of every owner's transactions by expiry; it lives in
 * a slot of its own and is updated after the owner's script, so a failure between the two can
 * miscount a transaction until it expires, never longer.
 */
export function redisTransactions(connection: Connection): TransactionStore {
  const { keys } = connection;
  const pending = () => keys.pendingTransactions();

  return {
    async put(key, value, ttlSeconds, owner) {
      const ttl = ttlMilliseconds(ttlSeconds);
      checkOwner(owner);
      if (typeof value !== "string") throw new TypeError("value must be a string");
      const { values, expiries } = keys.ownerTransactions(owner.id);
      let reply: unknown;
      try {
        reply = await connection
          .scripts()
          .entrancePutTransaction(values, expiries, key, value, ttl, owner.maxPending);
      } catch (error) {
        throw readFailure(values, error);
      }
      const [expires, ...removed] = reply as string[];
      if (expires === undefined) throw corrupt(values, "the put returned no expiry");
      await connection
        .scripts()
        .entrancePendingAdd(
          pending(),
          expires,
          keys.pendingMember(owner.id, key),
          ...removed.map((gone) => keys.pendingMember(owner.id, gone)),
        );
    },

    async take(key, owner) {
      if (typeof owner !== "string") throw new TypeError("owner must be a string");
      const { values, expiries } = keys.ownerTransactions(owner);
      let value: unknown;
      try {
        value = await connection.scripts().entranceTakeTransaction(values, expiries, key);
      } catch (error) {
        throw readFailure(values, error);
      }
      if (value === null) return null;
      await connection.client().zrem(pending(), keys.pendingMember(owner, key));
      return String(value);
    },

    async countPending() {
      return Number(await connection.scripts().entrancePendingCount(pending()));
    },

    async deleteExpired() {
      // Redis drops each owner's transactions with its keys once the newest has expired, and a
      // put drops that owner's expired ones at once; what remains is their entries in the count.
      return Number(await connection.scripts().entrancePendingTrim(pending()));
    },
  };
}
