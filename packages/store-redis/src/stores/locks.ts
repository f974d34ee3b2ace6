import { randomBytes } from "node:crypto";
import { type LockStore, ttlMilliseconds } from "@entrance/core";
import type { Connection } from "../connection.js";

/**
 * Locks as keys holding a random 128-bit holder, set only if absent and expiring with the lock
 * (`SET NX PX`: one atomic command), so a crashed holder blocks others for its TTL at most.
 * A release deletes the key in a script that first checks the holder, so a holder whose lock
 * expired and was taken by another cannot free the other's.
 */
export function redisLocks(connection: Connection): LockStore {
  const { keys } = connection;
  return {
    async acquire(key, ttlSeconds) {
      const ttl = ttlMilliseconds(ttlSeconds);
      const lock = keys.lock(key);
      const holder = randomBytes(16).toString("base64url");
      const set = await connection.client().set(lock, holder, "PX", ttl, "NX");
      if (set !== "OK") return null;
      return async () => {
        await connection.scripts().entranceReleaseLock(lock, holder);
      };
    },
  };
}
