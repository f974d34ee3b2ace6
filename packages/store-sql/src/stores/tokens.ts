import type { TokenStore } from "@entrance/core";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../dialect.js";
import { fromBytes, ownBytes, rowName, toBytes } from "../rows.js";
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
  // SQLite's driver hands each BLOB over in a Buffer of its own: a view of it is safe to return.
  // The network drivers' Buffers may be slices of a larger one, so those are copied.
  const bytesOf = (value: unknown, partition: string, column: string) =>
    hot
      ? ownBytes(value, rowName(TABLE, { partition }), column)
      : toBytes(value, rowName(TABLE, { partition }), column);
  return {
    async get(partition) {
      const data = hot
        ? hot.token(partition)
        : (
            await db
              .selectFrom(TABLE)
              .select("data")
              .where("partition", "=", partition)
              .executeTakeFirst()
          )?.data;
      return data === undefined ? null : bytesOf(data, partition, "data");
    },

    async getIndex(partition) {
      const index = hot
        ? hot.tokenIndex(partition)
        : (
            await db
              .selectFrom(TABLE)
              .select("access_index")
              .where("partition", "=", partition)
              .executeTakeFirst()
          )?.access_index;
      return index === undefined || index === null
        ? null
        : bytesOf(index, partition, "access_index");
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
