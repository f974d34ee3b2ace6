import {
  type AuditEvent,
  type AuditEventType,
  type AuditStore,
  isAuditEventType,
} from "@entrance/core";
import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type { Dialect } from "../dialect.js";
import {
  checkPage,
  corrupt,
  type RowRef,
  rowName,
  toCount,
  toDate,
  toJsonObject,
  toMillis,
  toNullableInteger,
  toNullableText,
  toText,
} from "../rows.js";
import type { AuditTable, EntranceDatabase } from "../schema.js";
import { columnContains } from "../search.js";

const TABLE = "entrance_audit";
/** Events removed per statement when pruning. */
const PRUNE_BATCH = 5_000;

function toType(value: unknown, row: RowRef): AuditEventType {
  const text = toText(value, row, "type");
  if (!isAuditEventType(text)) throw corrupt(row, "type", "an audit event type");
  return text;
}

function toActor(value: unknown, row: RowRef): AuditEvent["actor"] {
  if (value === null) return null;
  const actor = toJsonObject(value, row, "actor");
  const { tenantId, objectId, name } = actor;
  if (
    typeof tenantId !== "string" ||
    typeof objectId !== "string" ||
    (name !== null && typeof name !== "string")
  ) {
    throw corrupt(row, "actor", "a JSON object of tenantId, objectId and name");
  }
  return { tenantId, objectId, name };
}

/** The id as a decimal string (pg gives a `bigint` as one, exact even beyond 2^53). */
function toId(value: unknown, row: RowRef): string {
  const id = typeof value === "number" || typeof value === "bigint" ? String(value) : value;
  if (typeof id !== "string" || !/^\d+$/.test(id)) throw corrupt(row, "id", "a positive integer");
  return id;
}

function fromRow(row: Selectable<AuditTable>): AuditEvent {
  const name = rowName(TABLE, { id: String(row.id) });
  return {
    id: toId(row.id, name),
    at: toDate(row.at, name, "at"),
    type: toType(row.type, name),
    tenantId: toNullableText(row.tenant_id, name, "tenant_id"),
    objectId: toNullableText(row.object_id, name, "object_id"),
    actor: toActor(row.actor, name),
    detail: toText(row.detail, name, "detail"),
    aadsts: toNullableInteger(row.aadsts, name, "aadsts"),
    ip: toNullableText(row.ip, name, "ip"),
    count: toCount(row.count, name, "count"),
  };
}

/** A count below 1, fractional or beyond 2^53 is a bug: an event stands for whole occurrences. */
function checkCount(count: number, field: string): number {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`${field} must be a whole number ≥ 1, got ${String(count)}`);
  }
  return count;
}

/**
 * Whether `id` could name a row: a decimal within `bigint`. Anything else names no event, and is
 * answered as such rather than sent to PostgreSQL, which would fail to cast it.
 */
function isStoredId(id: string): boolean {
  return /^\d{1,19}$/.test(id) && BigInt(id) <= 9_223_372_036_854_775_807n;
}

/**
 * The audit log in `entrance_audit`, indexed by time and by user. Entrance bounds it through
 * `prune`; ids are never reused, even after rows are removed.
 */
export function sqlAudit(db: Kysely<EntranceDatabase>, dialect: Dialect): AuditStore {
  return {
    async append(event) {
      if (!isAuditEventType(event.type)) {
        throw new TypeError(`type must be an audit event type, got ${String(event.type)}`);
      }
      if (event.aadsts !== null && !Number.isSafeInteger(event.aadsts)) {
        throw new TypeError(`aadsts must be a whole number or null, got ${String(event.aadsts)}`);
      }
      const count = checkCount(event.count ?? 1, "count");
      const { actor } = event;
      const insert = db.insertInto(TABLE).values({
        at: toMillis(event.at, "at"),
        type: event.type,
        tenant_id: event.tenantId,
        object_id: event.objectId,
        actor:
          actor === null
            ? null
            : JSON.stringify({
                tenantId: actor.tenantId,
                objectId: actor.objectId,
                name: actor.name,
              }),
        detail: event.detail,
        aadsts: event.aadsts,
        ip: event.ip,
        count,
      });
      if (dialect === "mysql") {
        // No RETURNING in MySQL: the row is read back by the id the insert was given.
        const { insertId } = await insert.executeTakeFirstOrThrow();
        const row = await db
          .selectFrom(TABLE)
          .selectAll()
          .where("id", "=", String(insertId))
          .executeTakeFirstOrThrow();
        return fromRow(row);
      }
      return fromRow(await insert.returningAll().executeTakeFirstOrThrow());
    },

    async addCount(id, by) {
      checkCount(by, "by");
      if (!isStoredId(id)) return false;
      // One statement adds to the stored count, so concurrent folds of one event all add up.
      const result = await db
        .updateTable(TABLE)
        .set((eb) => ({ count: eb("count", "+", by).$castTo<number>() }))
        .where("id", "=", id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async prune({ before, keep }) {
      const cutoff = toMillis(before, "before");
      if (!Number.isSafeInteger(keep) || keep < 0) {
        throw new RangeError(`keep must be a whole number ≥ 0, got ${String(keep)}`);
      }
      // The newest id to go for being beyond `keep`: the subquery walks the primary key from the
      // newest end once (none when no more than `keep` are left).
      const beyond = await db
        .selectFrom(TABLE)
        .select("id")
        .orderBy("id", "desc")
        .limit(1)
        .offset(keep)
        .executeTakeFirst();
      const lastSurplus = beyond === undefined ? null : beyond.id;
      // In batches, yielding between them: the first prune of a database that kept every event
      // may remove millions, and SQLite's driver would otherwise hold the process for seconds.
      let removed = 0;
      const due = (w: ExpressionBuilder<EntranceDatabase, typeof TABLE>) =>
        lastSurplus === null
          ? w("at", "<", cutoff)
          : w.or([w("at", "<", cutoff), w("id", "<=", lastSurplus)]);
      for (;;) {
        const batch = await (dialect === "mysql"
          ? // MySQL takes no LIMIT in an IN subquery, but a DELETE of its own may have one.
            db.deleteFrom(TABLE).where(due).orderBy("id").limit(PRUNE_BATCH)
          : db
              .deleteFrom(TABLE)
              .where("id", "in", (eb) =>
                eb.selectFrom(TABLE).select("id").where(due).orderBy("id").limit(PRUNE_BATCH),
              )
        ).executeTakeFirst();
        const count = Number(batch.numDeletedRows);
        removed += count;
        if (count < PRUNE_BATCH) return removed;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },

    async list({ type, tenantId, objectId, query, limit, offset }) {
      checkPage(limit, offset);
      const matching = db
        .selectFrom(TABLE)
        .where((eb) =>
          eb.and([
            ...(type === undefined ? [] : [eb("type", "=", type)]),
            ...(tenantId === undefined ? [] : [eb("tenant_id", "=", tenantId)]),
            ...(objectId === undefined ? [] : [eb("object_id", "=", objectId)]),
            ...(query === undefined || query === ""
              ? []
              : [columnContains("detail", query, dialect)]),
          ]),
        );
      const [rows, count] = await Promise.all([
        matching
          .selectAll()
          .orderBy("at", "desc")
          .orderBy("id", "desc")
          .limit(limit)
          .offset(offset)
          .execute(),
        matching.select((eb) => eb.fn.countAll().as("total")).executeTakeFirstOrThrow(),
      ]);
      return { events: rows.map(fromRow), total: Number(count.total) };
    },
  };
}
