import { randomBytes } from "node:crypto";
import type { LockStore } from "@entrance/core";
import type { Kysely } from "kysely";
import type { Dialect } from "../dialect.js";
import { ttlMilliseconds } from "../rows.js";
import type { EntranceDatabase } from "../schema.js";

const TABLE = "entrance_locks";

/**
 * Locks in `entrance_locks`, shared by every store on the database. Each acquire names itself
 * with a random 128-bit holder; expiry is computed with the store's clock (`now`), as for login
 * transactions, so the instances sharing a database need reasonably synchronized clocks.
 */
export function sqlLocks(
  db: Kysely<EntranceDatabase>,
  dialect: Dialect,
  now: () => number,
): LockStore {
  const release = (key: string, holder: string) => async () => {
    // Deletes only our own row: after expiry another holder may own the key, and keeps it.
    await db.deleteFrom(TABLE).where("key", "=", key).where("holder", "=", holder).execute();
  };
  return {
    async acquire(key, ttlSeconds) {
      const ttl = ttlMilliseconds(ttlSeconds);
      const holder = randomBytes(16).toString("base64url");
      const time = now();
      if (dialect === "mysql") {
        // No upsert with a condition and RETURNING in MySQL: drop the key's row if it expired,
        // then insert; the primary key lets one of concurrent inserts in, the others fail.
        await db.deleteFrom(TABLE).where("key", "=", key).where("expires_at", "<=", time).execute();
        try {
          await db
            .insertInto(TABLE)
            .values({ key, holder, expires_at: time + ttl })
            .execute();
        } catch (error) {
          if ((error as { code?: unknown }).code === "ER_DUP_ENTRY") return null;
          throw error;
        }
        return release(key, holder);
      }
      // One atomic statement: insert the row, or take over an existing one only once it has
      // expired. Of concurrent acquires one writes the row; the others' upserts update nothing
      // and return no row (PostgreSQL re-checks the WHERE against the winner's committed row).
      const row = await db
        .insertInto(TABLE)
        .values({ key, holder, expires_at: time + ttl })
        .onConflict((conflict) =>
          conflict
            .column("key")
            .doUpdateSet((eb) => ({
              holder: eb.ref("excluded.holder"),
              expires_at: eb.ref("excluded.expires_at"),
            }))
            .where(`${TABLE}.expires_at`, "<=", time),
        )
        .returning("holder")
        .executeTakeFirst();
      if (row?.holder !== holder) return null;
      return release(key, holder);
    },
  };
}
