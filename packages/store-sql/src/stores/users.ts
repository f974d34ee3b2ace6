import type { AccountKind, UserRecord, UserStore } from "@entrance/core";
import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../dialect.js";
import {
  checkPage,
  corrupt,
  type RowRef,
  rowName,
  toDate,
  toFlag,
  toMillis,
  toNullableText,
  toStringList,
  toText,
} from "../rows.js";
import type { EntranceDatabase, UsersTable } from "../schema.js";
import { columnContains } from "../search.js";
import type { HotReads } from "../store.js";

const TABLE = "entrance_users";

/** The columns `list` searches. */
const SEARCHED = ["display_name", "username", "mail", "object_id", "tenant_id"] as const;

type ResolvedGroups = UserRecord["resolvedGroups"];

/** A user row as the record core reads. */
export function userFromRow(row: Selectable<UsersTable>): UserRecord {
  const name = rowName(TABLE, { tenant_id: row.tenant_id, object_id: row.object_id });
  return {
    tenantId: toText(row.tenant_id, name, "tenant_id"),
    objectId: toText(row.object_id, name, "object_id"),
    accountKind: toAccountKind(row.account_kind, name),
    displayName: toNullableText(row.display_name, name, "display_name"),
    username: toNullableText(row.username, name, "username"),
    mail: toNullableText(row.mail, name, "mail"),
    roles: toStringList(row.roles, name, "roles"),
    groups: toStringList(row.groups, name, "groups"),
    groupsOverage: toFlag(row.groups_overage, name, "groups_overage"),
    firstSignInAt: toDate(row.first_sign_in_at, name, "first_sign_in_at"),
    lastSignInAt: toDate(row.last_sign_in_at, name, "last_sign_in_at"),
    disabled: toFlag(row.disabled, name, "disabled"),
    resolvedGroups: resolvedFromRow(row, name),
  };
}

const ACCOUNT_KINDS: ReadonlySet<unknown> = new Set<AccountKind>([
  "member",
  "guest",
  "personal",
  "customer",
]);

function toAccountKind(value: unknown, name: RowRef): AccountKind {
  if (!ACCOUNT_KINDS.has(value)) {
    throw corrupt(name, "account_kind", "member, guest, personal or customer");
  }
  return value as AccountKind;
}

function resolvedFromRow(row: Selectable<UsersTable>, name: RowRef): ResolvedGroups {
  const { resolved_groups: ids, resolved_groups_at: at } = row;
  if (ids === null && at === null) return null;
  if (ids === null || at === null) {
    throw corrupt(name, "resolved_groups_at", "null exactly when resolved_groups is null");
  }
  return {
    ids: toStringList(ids, name, "resolved_groups"),
    resolvedAt: toDate(at, name, "resolved_groups_at"),
  };
}

/** The two columns of `resolvedGroups`: both null, or the JSON ids and the time. */
function resolvedColumns(resolved: ResolvedGroups) {
  return resolved === null
    ? { resolved_groups: null, resolved_groups_at: null }
    : {
        resolved_groups: JSON.stringify(resolved.ids),
        resolved_groups_at: toMillis(resolved.resolvedAt, "resolvedAt"),
      };
}

/**
 * Users in `entrance_users`. A row whose JSON lists are corrupt makes `get` throw an Error naming
 * the row and column; `upsert` rewrites both lists, so the user's next sign-in repairs it.
 */
export function sqlUsers(
  db: Kysely<EntranceDatabase>,
  dialect: Dialect,
  hot?: HotReads,
): UserStore {
  const get = async (tenantId: string, objectId: string) => {
    const row = hot
      ? hot.user(tenantId, objectId)
      : await db
          .selectFrom(TABLE)
          .selectAll()
          .where("tenant_id", "=", tenantId)
          .where("object_id", "=", objectId)
          .executeTakeFirst();
    return row ? userFromRow(row) : null;
  };
  return {
    get,

    async upsert(user) {
      const insert = db.insertInto(TABLE).values({
        tenant_id: user.tenantId,
        object_id: user.objectId,
        account_kind: user.accountKind ?? "member",
        display_name: user.displayName,
        username: user.username,
        mail: user.mail,
        roles: JSON.stringify(user.roles),
        groups: JSON.stringify(user.groups),
        groups_overage: user.groupsOverage ? 1 : 0,
        first_sign_in_at: toMillis(user.firstSignInAt, "firstSignInAt"),
        last_sign_in_at: toMillis(user.lastSignInAt, "lastSignInAt"),
        disabled: user.disabled ? 1 : 0,
        ...resolvedColumns(user.resolvedGroups ?? null),
      });
      // first_sign_in_at, disabled and the resolved groups are left out on purpose: the
      // contract keeps them.
      const updated = [
        "account_kind",
        "display_name",
        "username",
        "mail",
        "roles",
        "groups",
        "groups_overage",
        "last_sign_in_at",
      ] as const;
      if (dialect === "mysql") {
        // No RETURNING in MySQL: the stored row is read back.
        await insert
          .onDuplicateKeyUpdate(
            Object.fromEntries(updated.map((column) => [column, sql`values(${sql.ref(column)})`])),
          )
          .execute();
        const stored = await get(user.tenantId, user.objectId);
        if (!stored) throw new Error("The user just stored is gone (deleted meanwhile?)");
        return stored;
      }
      const row = await insert
        .onConflict((conflict) =>
          conflict
            .columns(["tenant_id", "object_id"])
            .doUpdateSet((eb) =>
              Object.fromEntries(updated.map((column) => [column, eb.ref(`excluded.${column}`)])),
            ),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return userFromRow(row);
    },

    async setDisabled(tenantId, objectId, disabled) {
      const result = await db
        .updateTable(TABLE)
        .set({ disabled: disabled ? 1 : 0 })
        .where("tenant_id", "=", tenantId)
        .where("object_id", "=", objectId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async setResolvedGroups(tenantId, objectId, resolved) {
      const result = await db
        .updateTable(TABLE)
        .set(resolvedColumns(resolved))
        .where("tenant_id", "=", tenantId)
        .where("object_id", "=", objectId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async list({ query, accountKind, limit, offset }) {
      checkPage(limit, offset);
      const matching = db
        .selectFrom(TABLE)
        .where((eb) =>
          query === undefined || query === ""
            ? eb.and([])
            : eb.or(SEARCHED.map((column) => columnContains(column, query, dialect))),
        )
        // Rows from before 0005 hold the column's default, `member`, as the contract reads them.
        .$if(accountKind !== undefined, (qb) => qb.where("account_kind", "=", accountKind ?? ""));
      const [rows, count] = await Promise.all([
        matching
          .selectAll()
          .orderBy("last_sign_in_at", "desc")
          .orderBy("tenant_id")
          .orderBy("object_id")
          .limit(limit)
          .offset(offset)
          .execute(),
        matching.select((eb) => eb.fn.countAll().as("total")).executeTakeFirstOrThrow(),
      ]);
      return { users: rows.map(userFromRow), total: Number(count.total) };
    },
  };
}
