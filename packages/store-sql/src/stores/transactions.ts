import type { TransactionStore } from "@entrance/core";
import type { Kysely } from "kysely";
import { rowName, toText, ttlMilliseconds } from "../rows.js";
import type { EntranceDatabase } from "../schema.js";

const TABLE = "entrance_login_transactions";

/**
 * Login transactions in `entrance_login_transactions`. Expiry is computed with the store's clock
 * (`now`), on write and on take alike.
 */
export function sqlTransactions(db: Kysely<EntranceDatabase>, now: () => number): TransactionStore {
  return {
    async put(key, value, ttlSeconds) {
      const ttl = ttlMilliseconds(ttlSeconds);
      const time = now();
      // Abandoned sign-ins are never taken: sweep them here, where writes happen anyway.
      await db.deleteFrom(TABLE).where("expires_at", "<=", time).execute();
      await db
        .insertInto(TABLE)
        .values({ key, value, expires_at: time + ttl })
        .onConflict((conflict) =>
          conflict.column("key").doUpdateSet((eb) => ({
            value: eb.ref("excluded.value"),
            expires_at: eb.ref("excluded.expires_at"),
          })),
        )
        .execute();
    },

    async take(key) {
      // One statement finds and removes the row: of concurrent takes, only one gets it back.
      const row = await db
        .deleteFrom(TABLE)
        .where("key", "=", key)
        .where("expires_at", ">", now())
        .returning("value")
        .executeTakeFirst();
      return row ? toText(row.value, rowName(TABLE, { key }), "value") : null;
    },
  };
}
