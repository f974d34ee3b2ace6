import type { SessionRecord, SessionStore } from "@entrance/core";
import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../dialect.js";
import { rowName, toDate, toMillis, toNullableText, toText } from "../rows.js";
import type { EntranceDatabase, SessionsTable } from "../schema.js";
import type { HotReads } from "../store.js";

const TABLE = "entrance_sessions";

/** A session row as the record core reads. */
export function sessionFromRow(row: Selectable<SessionsTable>): SessionRecord {
  const name = rowName(TABLE, { id_hash: row.id_hash });
  return {
    idHash: toText(row.id_hash, name, "id_hash"),
    tenantId: toText(row.tenant_id, name, "tenant_id"),
    objectId: toText(row.object_id, name, "object_id"),
    sid: toNullableText(row.sid, name, "sid"),
    createdAt: toDate(row.created_at, name, "created_at"),
    lastSeenAt: toDate(row.last_seen_at, name, "last_seen_at"),
    idleExpiresAt: toDate(row.idle_expires_at, name, "idle_expires_at"),
    absoluteExpiresAt: toDate(row.absolute_expires_at, name, "absolute_expires_at"),
    ip: toNullableText(row.ip, name, "ip"),
    userAgent: toNullableText(row.user_agent, name, "user_agent"),
  };
}

/**
 * Sessions in `entrance_sessions`, indexed by `sid` and by user for the bulk deletes, and by each
 * expiry for the sweep of expired ones.
 */
export function sqlSessions(
  db: Kysely<EntranceDatabase>,
  dialect: Dialect,
  hot?: HotReads,
): SessionStore {
  return {
    async create(session) {
      await db
        .insertInto(TABLE)
        .values({
          id_hash: session.idHash,
          tenant_id: session.tenantId,
          object_id: session.objectId,
          sid: session.sid,
          created_at: toMillis(session.createdAt, "createdAt"),
          last_seen_at: toMillis(session.lastSeenAt, "lastSeenAt"),
          idle_expires_at: toMillis(session.idleExpiresAt, "idleExpiresAt"),
          absolute_expires_at: toMillis(session.absoluteExpiresAt, "absoluteExpiresAt"),
          ip: session.ip,
          user_agent: session.userAgent,
        })
        .execute();
    },

    async get(idHash) {
      const row = hot
        ? hot.session(idHash)
        : await db.selectFrom(TABLE).selectAll().where("id_hash", "=", idHash).executeTakeFirst();
      return row ? sessionFromRow(row) : null;
    },

    async touch(idHash, lastSeenAt, idleExpiresAt) {
      await db
        .updateTable(TABLE)
        .set({
          last_seen_at: toMillis(lastSeenAt, "lastSeenAt"),
          idle_expires_at: toMillis(idleExpiresAt, "idleExpiresAt"),
        })
        .where("id_hash", "=", idHash)
        .execute();
    },

    async delete(idHash) {
      await db.deleteFrom(TABLE).where("id_hash", "=", idHash).execute();
    },

    async deleteBySid(sid) {
      const rows =
        dialect === "mysql"
          ? // No DELETE … RETURNING in MySQL: read the rows under a lock (which also holds back
            // new rows of that sid), delete them, commit.
            await db.transaction().execute(async (trx) => {
              const found = await trx
                .selectFrom(TABLE)
                .select(["tenant_id", "object_id"])
                .where("sid", "=", sid)
                .forUpdate()
                .execute();
              await trx.deleteFrom(TABLE).where("sid", "=", sid).execute();
              return found;
            })
          : await db
              .deleteFrom(TABLE)
              .where("sid", "=", sid)
              .returning(["tenant_id", "object_id"])
              .execute();
      // One entry per user, however many of their sessions carried the sid.
      const users = new Map<string, { tenantId: string; objectId: string }>();
      for (const { tenant_id: tenantId, object_id: objectId } of rows) {
        users.set(JSON.stringify([tenantId, objectId]), { tenantId, objectId });
      }
      return [...users.values()];
    },

    async deleteByUser(tenantId, objectId) {
      const result = await db
        .deleteFrom(TABLE)
        .where("tenant_id", "=", tenantId)
        .where("object_id", "=", objectId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listByUser(tenantId, objectId) {
      const rows = await db
        .selectFrom(TABLE)
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("object_id", "=", objectId)
        .orderBy("created_at", "desc")
        .execute();
      return rows.map(sessionFromRow);
    },

    async deleteExpired(now) {
      const time = toMillis(now, "now");
      const result = await db
        .deleteFrom(TABLE)
        .where((eb) =>
          eb.or([eb("idle_expires_at", "<=", time), eb("absolute_expires_at", "<=", time)]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
