import {
  type AuditEvent,
  type AuditEventType,
  type AuditStore,
  isAuditEventType,
} from "@entrance/core";
import type { Kysely, Selectable } from "kysely";
import {
  checkPage,
  corrupt,
  rowName,
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

function toType(value: unknown, row: string): AuditEventType {
  const text = toText(value, row, "type");
  if (!isAuditEventType(text)) throw corrupt(row, "type", "an audit event type");
  return text;
}

function toActor(value: unknown, row: string): AuditEvent["actor"] {
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
function toId(value: unknown, row: string): string {
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
  };
}

/**
 * The audit log in `entrance_audit`, indexed by time and by user. Every event is kept: pruning
 * old ones is the operator's (e.g. `DELETE FROM entrance_audit WHERE at < …`).
 */
export function sqlAudit(db: Kysely<EntranceDatabase>): AuditStore {
  return {
    async append(event) {
      if (!isAuditEventType(event.type)) {
        throw new TypeError(`type must be an audit event type, got ${String(event.type)}`);
      }
      if (event.aadsts !== null && !Number.isSafeInteger(event.aadsts)) {
        throw new TypeError(`aadsts must be a whole number or null, got ${String(event.aadsts)}`);
      }
      const { actor } = event;
      const row = await db
        .insertInto(TABLE)
        .values({
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
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return fromRow(row);
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
            ...(query === undefined || query === "" ? [] : [columnContains("detail", query)]),
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
