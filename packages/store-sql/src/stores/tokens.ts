import type { TokenStore } from "@entrance/core";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../dialect.js";
import { fromBytes, rowName, toBytes } from "../rows.js";
import type { EntranceDatabase } from "../schema.js";
import type { HotReads } from "../store.js";

const TABLE = "entrance_token_partitions";

/** Encrypted token partitions in `entrance_token_partitions`, one row each. */
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

    async put(partition, data) {
      const insert = db
        .insertInto(TABLE)
        .values({ partition, data: fromBytes(data), updated_at: now() });
      await (dialect === "mysql"
        ? insert.onDuplicateKeyUpdate({
            data: sql`values(${sql.ref("data")})`,
            updated_at: sql`values(${sql.ref("updated_at")})`,
          })
        : insert.onConflict((conflict) =>
            conflict.column("partition").doUpdateSet((eb) => ({
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
