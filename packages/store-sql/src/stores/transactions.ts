import { checkOwner, type TransactionStore } from "@entrance/core";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../dialect.js";
import { rowName, toText, ttlMilliseconds } from "../rows.js";
import type { EntranceDatabase } from "../schema.js";

const TABLE = "entrance_login_transactions";

/**
 * Login transactions in `entrance_login_transactions`, each with the owner that may take it.
 * Expiry is computed with the store's clock (`now`), on write and on take alike.
 */
export function sqlTransactions(
  db: Kysely<EntranceDatabase>,
  dialect: Dialect,
  now: () => number,
): TransactionStore {
  /** An owner's keys beyond their newest `keep` (by expiry, then key). */
  const beyond = (owner: string, keep: number) =>
    db
      .selectFrom(TABLE)
      .select("key")
      .where("owner", "=", owner)
      .orderBy("expires_at", "desc")
      .orderBy("key", "desc")
      // MySQL takes no OFFSET without a LIMIT: one larger than any table.
      .limit(Number.MAX_SAFE_INTEGER)
      .offset(keep);

  return {
    async put(key, value, ttlSeconds, owner) {
      const ttl = ttlMilliseconds(ttlSeconds);
      checkOwner(owner);
      const time = now();
      // Abandoned sign-ins are never taken: sweep them here, where writes happen anyway.
      await db.deleteFrom(TABLE).where("expires_at", "<=", time).execute();
      const insert = db
        .insertInto(TABLE)
        .values({ key, value, owner: owner.id, expires_at: time + ttl });
      await (dialect === "mysql"
        ? insert.onDuplicateKeyUpdate({
            value: sql`values(${sql.ref("value")})`,
            owner: sql`values(${sql.ref("owner")})`,
            expires_at: sql`values(${sql.ref("expires_at")})`,
          })
        : insert.onConflict((conflict) =>
            conflict.column("key").doUpdateSet((eb) => ({
              value: eb.ref("excluded.value"),
              owner: eb.ref("excluded.owner"),
              expires_at: eb.ref("excluded.expires_at"),
            })),
          )
      ).execute();
      // The cap: of this owner's rows, all but the newest maxPending go (newest by expiry, which
      // with one TTL is the order stored; the key only breaks ties within a millisecond).
      //
      // Why concurrent puts of one owner never leave more than maxPending: each statement here
      // commits on its own, so every put's insert has committed before its cap starts. The cap
      // that starts last therefore sees every row those puts inserted and leaves at most
      // maxPending of them; the other caps only remove more. Not one transaction around insert
      // and cap: under PostgreSQL's READ COMMITTED, two such transactions would each miss the
      // other's uncommitted insert, cap to maxPending + 1 together, and both commit.
      //
      // MySQL takes neither a LIMIT in an IN subquery nor a subquery of the table it deletes
      // from, so there the keys beyond the cap are read first and deleted by name: two
      // statements, each committed on its own, and the same argument holds.
      if (dialect === "mysql") {
        const excess = (await beyond(owner.id, owner.maxPending).execute()).map((row) => row.key);
        if (excess.length > 0) {
          await db
            .deleteFrom(TABLE)
            .where("owner", "=", owner.id)
            .where("key", "in", excess)
            .execute();
        }
        return;
      }
      await db
        .deleteFrom(TABLE)
        .where("owner", "=", owner.id)
        .where("key", "not in", (eb) =>
          eb
            .selectFrom(TABLE)
            .select("key")
            .where("owner", "=", owner.id)
            .orderBy("expires_at", "desc")
            .orderBy("key", "desc")
            .limit(owner.maxPending),
        )
        .execute();
    },

    async take(key, owner) {
      if (dialect === "mysql") {
        // No DELETE … RETURNING in MySQL: read the value, then delete the row only while it still
        // holds that value. One statement decides: of concurrent takes, only one deletes the
        // row, and only that one returns the value.
        const time = now();
        const row = await db
          .selectFrom(TABLE)
          .select("value")
          .where("key", "=", key)
          .where("owner", "=", owner)
          .where("expires_at", ">", time)
          .executeTakeFirst();
        if (!row) return null;
        const value = toText(row.value, rowName(TABLE, { key }), "value");
        const result = await db
          .deleteFrom(TABLE)
          .where("key", "=", key)
          .where("owner", "=", owner)
          .where("expires_at", ">", time)
          .where("value", "=", value)
          .executeTakeFirst();
        return Number(result.numDeletedRows) === 1 ? value : null;
      }
      // One statement finds and removes the row: of concurrent takes, only one gets it back. The
      // owner is part of the match, so another owner's take leaves the row as it was.
      const row = await db
        .deleteFrom(TABLE)
        .where("key", "=", key)
        .where("owner", "=", owner)
        .where("expires_at", ">", now())
        .returning("value")
        .executeTakeFirst();
      return row ? toText(row.value, rowName(TABLE, { key }), "value") : null;
    },

    async countPending() {
      const { pending } = await db
        .selectFrom(TABLE)
        .select((eb) => eb.fn.countAll().as("pending"))
        .where("expires_at", ">", now())
        .executeTakeFirstOrThrow();
      return Number(pending);
    },

    async deleteExpired() {
      const result = await db.deleteFrom(TABLE).where("expires_at", "<=", now()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
