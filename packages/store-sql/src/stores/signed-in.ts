/**
 * A session and its user in one query (`EntranceStore.signedIn`): what a signed-in request reads
 * when its session is not cached in process — one statement on SQLite, one round trip on
 * PostgreSQL and MySQL, instead of two. The user's columns come under a `u_` prefix, null when
 * the session's user is not stored (a left join).
 */
import type { StoredSignedIn } from "@entrance/core";
import { type Kysely, type Selectable, sql } from "kysely";
import type { EntranceDatabase, SessionsTable, UsersTable } from "../schema.js";
import { sessionFromRow } from "./sessions.js";
import { userFromRow } from "./users.js";

/** Every column of `entrance_users`: the compiler holds this to the table's type. */
const USER_COLUMNS = Object.keys({
  tenant_id: true,
  object_id: true,
  account_kind: true,
  display_name: true,
  username: true,
  mail: true,
  roles: true,
  groups: true,
  groups_overage: true,
  first_sign_in_at: true,
  last_sign_in_at: true,
  disabled: true,
  resolved_groups: true,
  resolved_groups_at: true,
} satisfies Record<keyof UsersTable, true>) as (keyof UsersTable)[];

/** A session's row with its user's columns, each `u_`-prefixed and null without a user. */
export type SignedInRow = Selectable<SessionsTable> & {
  readonly [K in keyof UsersTable as `u_${K}`]: Selectable<UsersTable>[K] | null;
};

/** The query as SQL text, for a driver that runs it directly (SQLite's prepared statement). */
export const SIGNED_IN_SQL = `select s.*, ${USER_COLUMNS.map((c) => `u."${c}" as "u_${c}"`).join(", ")} from "entrance_sessions" as s left join "entrance_users" as u on u."tenant_id" = s."tenant_id" and u."object_id" = s."object_id" where s."id_hash" = ?`;

/** The same query through Kysely, for the dialects whose drivers answer asynchronously. */
export async function querySignedIn(
  db: Kysely<EntranceDatabase>,
  idHash: string,
): Promise<SignedInRow | undefined> {
  const row = await db
    .selectFrom("entrance_sessions as s")
    .leftJoin("entrance_users as u", (join) =>
      join.onRef("u.tenant_id", "=", "s.tenant_id").onRef("u.object_id", "=", "s.object_id"),
    )
    .selectAll("s")
    .select(USER_COLUMNS.map((c) => sql.ref(`u.${c}`).as(`u_${c}`)))
    .where("s.id_hash", "=", idHash)
    .executeTakeFirst();
  return row as SignedInRow | undefined;
}

/** The records of a joined row, converted as `sessions.get` and `users.get` convert theirs. */
export function signedInFromRow(row: SignedInRow): StoredSignedIn {
  const session = sessionFromRow(row);
  if (row.u_tenant_id === null) return { session, user: null };
  const user = {
    tenant_id: row.u_tenant_id,
    object_id: row.u_object_id,
    account_kind: row.u_account_kind,
    display_name: row.u_display_name,
    username: row.u_username,
    mail: row.u_mail,
    roles: row.u_roles,
    groups: row.u_groups,
    groups_overage: row.u_groups_overage,
    first_sign_in_at: row.u_first_sign_in_at,
    last_sign_in_at: row.u_last_sign_in_at,
    disabled: row.u_disabled,
    resolved_groups: row.u_resolved_groups,
    resolved_groups_at: row.u_resolved_groups_at,
  } satisfies Record<keyof UsersTable, unknown>;
  // A column the left join left null where the table allows none is a corrupt row: the
  // conversion says so, as it does for a row read alone.
  return { session, user: userFromRow(user as Selectable<UsersTable>) };
}
