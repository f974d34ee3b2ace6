import type { TokenStore } from "@entrance/core";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../dialect.js";
import { fromBytes, rowName, toBytes } from "../rows.js";
import type { EntranceDatabase } from "../schema.js";
import type { HotReads } from "../store.js";

const TABLE = "entrance_token_partitions";

/** Encrypted token partitions in `entrance_token_partitions`, one row each (both parts). */
export function sqlTokens(
  db: Kysely<EntranceDatabase>,
  dialect: Dialect,
  now: () => number,
  hot?: HotReads,
): TokenStore {
  return {
    async get(partition) {
      const row = hot
        ? hot.token(partition)
        : await db
            .selectFrom(TABLE)
            .select("data")
            .where("partition", "=", partition)
            .executeTakeFirst();
      return row ? toBytes(row.data, rowName(TABLE, { partition }), "data") : null;
    },

    async getIndex(partition) {
      const row = hot
        ? hot.tokenIndex(partition)
        : await db
            .selectFrom(TABLE)
            .select("access_index")
            .where("partition", "=", partition)
            .executeTakeFirst();
      if (!row || row.access_index === null) return null;
      return toBytes(row.access_index, rowName(TABLE, { partition }), "access_index");
    },

    // One statement writes both parts: a reader sees the old pair or the new one.
    async put(partition, data, index) {
      const insert = db.insertInto(TABLE).values({
        partition,
        access_index: index ? fromBytes(index) : null,
        data: fromBytes(data),
        updated_at: now(),
      });
      await (dialect === "mysql"
        ? insert.onDuplicateKeyUpdate({
            access_index: sql`values(${sql.ref("access_index")})`,
            data: sql`values(${sql.ref("data")})`,
            updated_at: sql`values(${sql.ref("updated_at")})`,
          })
        : insert.onConflict((conflict) =>
            conflict.column("partition").doUpdateSet((eb) => ({
              access_index: eb.ref("excluded.access_index"),
              data: eb.ref("excluded.data"),
              updated_at: eb.ref("excluded.updated_at"),
            })),
          )
      ).execute();
    },

    async delete(partition) {
      await db.deleteFrom(TABLE).where("partition", "=", partition).execute();
    },
  };
}
