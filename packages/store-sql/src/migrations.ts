/**
 * The schema, as in-code Kysely migrations applied at open. Each migration runs once per database
 * (Kysely records it in `entrance_migration`); a new release adds a migration, never edits one.
 * (The MySQL column types were added to them when MySQL support came: no MySQL database had an
 * older schema.)
 */
import {
  type ColumnDataType,
  type CreateTableBuilder,
  type Expression,
  type Kysely,
  type Migration,
  Migrator,
  sql,
} from "kysely";
import type { Dialect } from "./dialect.js";

/** What a migration needs to know of the database it runs on. */
export interface MigrationTarget {
  readonly dialect: Dialect;
  /**
   * MySQL: the binary, no-pad collation of every table (`utf8mb4_nopad_bin` on MariaDB,
   * `utf8mb4_0900_bin` on MySQL 8), so keys compare exactly (case, trailing spaces) as in the
   * other databases.
   */
  readonly collation?: string;
}

type DataType = ColumnDataType | Expression<unknown>;

/**
 * Column types by purpose. MySQL cannot index or key a TEXT column, and its TEXT and BLOB stop at
 * 64 KiB, so keys there are `varchar(255)` and other text and bytes are their LONG forms.
 */
function typesOf(dialect: Dialect): { key: DataType; text: DataType; bytes: DataType } {
  switch (dialect) {
    case "mysql":
      return { key: "varchar(255)", text: sql`longtext`, bytes: sql`longblob` };
    case "postgres":
      return { key: "text", text: "text", bytes: "bytea" };
    case "sqlite":
      return { key: "text", text: "text", bytes: "blob" };
  }
}

function migrations({ dialect, collation }: MigrationTarget): Record<string, Migration> {
  const { key, text, bytes } = typesOf(dialect);
  /** A new table; on MySQL in utf8mb4 with the collation that compares exactly. */
  const table = <Name extends string>(db: Kysely<unknown>, name: Name) => {
    const builder: CreateTableBuilder<Name, never> = db.schema.createTable(name);
    return dialect === "mysql"
      ? builder.modifyEnd(
          sql`default character set utf8mb4 collate ${sql.raw(collation ?? "utf8mb4_bin")}`,
        )
      : builder;
  };
  return {
    "0001_initial": {
      async up(db: Kysely<unknown>) {
        await table(db, "entrance_users")
          .addColumn("tenant_id", key, (c) => c.notNull())
          .addColumn("object_id", key, (c) => c.notNull())
          .addColumn("display_name", text)
          .addColumn("username", text)
          .addColumn("mail", text)
          .addColumn("roles", text, (c) => c.notNull())
          .addColumn("groups", text, (c) => c.notNull())
          .addColumn("groups_overage", "integer", (c) => c.notNull())
          .addColumn("first_sign_in_at", "bigint", (c) => c.notNull())
          .addColumn("last_sign_in_at", "bigint", (c) => c.notNull())
          .addColumn("disabled", "integer", (c) => c.notNull())
          .addPrimaryKeyConstraint("entrance_users_pkey", ["tenant_id", "object_id"])
          .execute();

        await table(db, "entrance_sessions")
          .addColumn("id_hash", key, (c) => c.notNull().primaryKey())
          .addColumn("tenant_id", key, (c) => c.notNull())
          .addColumn("object_id", key, (c) => c.notNull())
          .addColumn("sid", key)
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("last_seen_at", "bigint", (c) => c.notNull())
          .addColumn("idle_expires_at", "bigint", (c) => c.notNull())
          .addColumn("absolute_expires_at", "bigint", (c) => c.notNull())
          .addColumn("ip", text)
          .addColumn("user_agent", text)
          .execute();
        await db.schema
          .createIndex("entrance_sessions_sid_idx")
          .on("entrance_sessions")
          .column("sid")
          .execute();
        await db.schema
          .createIndex("entrance_sessions_user_idx")
          .on("entrance_sessions")
          .columns(["tenant_id", "object_id"])
          .execute();

        await table(db, "entrance_token_partitions")
          .addColumn("partition", key, (c) => c.notNull().primaryKey())
          .addColumn("data", bytes, (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();

        await table(db, "entrance_login_transactions")
          .addColumn("key", key, (c) => c.notNull().primaryKey())
          .addColumn("value", text, (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("entrance_login_transactions_expires_idx")
          .on("entrance_login_transactions")
          .column("expires_at")
          .execute();
      },
    },
    // Cross-instance locks (LockStore): one row per key, taken over once `expires_at` passes.
    "0002_locks": {
      async up(db: Kysely<unknown>) {
        await table(db, "entrance_locks")
          .addColumn("key", key, (c) => c.notNull().primaryKey())
          .addColumn("holder", key, (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .execute();
      },
    },
    // For the admin panel and group authorization: groups resolved through Graph for users whose
    // token carried the overage marker, the list of users newest sign-in first, the audit log.
    "0003_admin_and_audit": {
      async up(db: Kysely<unknown>) {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        await db.schema.alterTable("entrance_users").addColumn("resolved_groups", text).execute();
        await db.schema
          .alterTable("entrance_users")
          .addColumn("resolved_groups_at", "bigint")
          .execute();
        // Serves UserStore.list's order (and its pages) without sorting the table.
        await db.schema
          .createIndex("entrance_users_last_sign_in_idx")
          .on("entrance_users")
          .columns(["last_sign_in_at desc", "tenant_id", "object_id"])
          .execute();

        await table(db, "entrance_audit")
          // A sequence the database assigns, never reused: it orders events of one millisecond.
          .addColumn("id", dialect === "sqlite" ? "integer" : "bigint", (c) =>
            dialect === "postgres"
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn("at", "bigint", (c) => c.notNull())
          .addColumn("type", text, (c) => c.notNull())
          .addColumn("tenant_id", key)
          .addColumn("object_id", key)
          .addColumn("actor", text)
          .addColumn("detail", text, (c) => c.notNull())
          .addColumn("aadsts", "bigint")
          .addColumn("ip", text)
          .execute();
        // Newest first, overall and per user (the id breaks ties within a millisecond).
        await db.schema
          .createIndex("entrance_audit_at_idx")
          .on("entrance_audit")
          .columns(["at", "id"])
          .execute();
        await db.schema
          .createIndex("entrance_audit_user_idx")
          .on("entrance_audit")
          .columns(["tenant_id", "object_id", "at", "id"])
          .execute();
      },
    },
    // Bounded growth: login transactions belong to the browser that started them (capped per
    // browser, taken only by it), audit events fold repeats into a count, and the sweeps of
    // expired sessions read an index instead of the table.
    "0004_owners_counts_and_sweeps": {
      async up(db: Kysely<unknown>) {
        // '' for transactions pending across the upgrade: no browser's binding hash is empty, so
        // they can no longer be taken and simply expire (a sign-in that spanned it starts again).
        await db.schema
          .alterTable("entrance_login_transactions")
          .addColumn("owner", key, (c) => c.notNull().defaultTo(""))
          .execute();
        // Serves the per-owner cap of each put: that owner's rows, newest expiry first.
        await db.schema
          .createIndex("entrance_login_transactions_owner_idx")
          .on("entrance_login_transactions")
          .columns(["owner", "expires_at"])
          .execute();

        await db.schema
          .alterTable("entrance_audit")
          .addColumn("count", "bigint", (c) => c.notNull().defaultTo(1))
          .execute();

        // SessionStore.deleteExpired matches either expiry: one index each lets both databases
        // combine two range scans (PostgreSQL's BitmapOr, SQLite's OR optimization).
        await db.schema
          .createIndex("entrance_sessions_idle_expires_idx")
          .on("entrance_sessions")
          .column("idle_expires_at")
          .execute();
        await db.schema
          .createIndex("entrance_sessions_absolute_expires_idx")
          .on("entrance_sessions")
          .column("absolute_expires_at")
          .execute();
      },
    },
    // Users say what kind of account they signed in with. Rows from before were written for
    // work or school accounts of the tenant (personal accounts were refused), so `member`.
    "0005_account_kind": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable("entrance_users")
          .addColumn("account_kind", key, (c) => c.notNull().defaultTo("member"))
          .execute();
      },
    },
    // A token partition's access-token index in a column of its own, so that a cache hit reads
    // the access tokens (a kilobyte or two) and not the whole cache. Rows from before keep a null
    // index (the core then reads `data`, which holds the index in its older layout) until their
    // next write.
    "0006_token_partition_index": {
      async up(db: Kysely<unknown>) {
        if (dialect !== "sqlite") {
          // PostgreSQL (TOAST) and InnoDB keep a large `data` out of the row, so the new column
          // reads without it wherever it lies.
          await db.schema
            .alterTable("entrance_token_partitions")
            .addColumn("access_index", bytes)
            .execute();
          return;
        }
        // SQLite stores a row's columns in order and spills the row's tail to a chain of overflow
        // pages: a column after `data` would be read by walking the whole chain, one before it
        // from the leaf page and at most the first overflow page. ALTER TABLE can only append,
        // so the table is rebuilt with the index before `data` (in the migration's transaction).
        await db.schema
          .createTable("entrance_token_partitions_next")
          .addColumn("partition", key, (c) => c.notNull().primaryKey())
          .addColumn("access_index", bytes)
          .addColumn("data", bytes, (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();
        await sql`insert into entrance_token_partitions_next (partition, access_index, data, updated_at)
          select partition, null, data, updated_at from entrance_token_partitions`.execute(db);
        await db.schema.dropTable("entrance_token_partitions").execute();
        await db.schema
          .alterTable("entrance_token_partitions_next")
          .renameTo("entrance_token_partitions")
          .execute();
      },
    },
  };
}

/** Where Kysely records which migrations ran, and the row its lock uses. */
const MIGRATION_TABLE = "entrance_migration";
const MIGRATION_LOCK_TABLE = "entrance_migration_lock";

/** The Kysely migrator of the Entrance schema on `db`. */
function migratorOf(db: Kysely<unknown>, target: MigrationTarget, schema?: string): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations(target) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

/**
 * Applies the migrations that have not run yet, and returns their names (none on an up-to-date
 * database). Several callers at once on one database are safe: Kysely's migrator holds a lock
 * while it migrates (PostgreSQL `pg_advisory_xact_lock`, MySQL `GET_LOCK`), so one migrates and
 * the others then find nothing to do; SQLite is covered by {@link migrateSqlite}.
 *
 * @param schema - PostgreSQL schema of the migration tables. Kysely would otherwise find an
 *   `entrance_migration` table in any schema of the database and skip creating ours.
 */
export async function migrate(
  db: Kysely<unknown>,
  target: MigrationTarget,
  schema?: string,
): Promise<string[]> {
  const { error, results = [] } = await migratorOf(db, target, schema).migrateToLatest();
  if (error !== undefined) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not apply the Entrance schema migrations (${reason}). If a newer @entrance/store-sql ` +
        "set up this database, upgrade this one; otherwise check that the database is writable.",
      { cause: error },
    );
  }
  return results.filter((result) => result.status === "Success").map((r) => r.migrationName);
}

/** Which migrations a database lacks, and which it has that this version does not know. */
export interface MigrationStatus {
  /** Migrations of this version that have not run, in order. */
  readonly pending: readonly string[];
  /** Migrations recorded in the database that this version does not know (a newer one ran). */
  readonly unknown: readonly string[];
}

/**
 * Reads, changing nothing, which migrations of this version the database lacks and which it has
 * that this version does not know. A database without the migration table lacks them all.
 */
export async function migrationStatus(
  db: Kysely<unknown>,
  target: MigrationTarget,
  schema?: string,
): Promise<MigrationStatus> {
  const known = await migratorOf(db, target, schema).getMigrations();
  const pending = known.filter((m) => m.executedAt === undefined).map((m) => m.name);
  if (pending.length === known.length) return { pending, unknown: [] };
  const table = schema === undefined ? db : db.withSchema(schema);
  const recorded = await (table as Kysely<{ entrance_migration: { name: string } }>)
    .selectFrom(MIGRATION_TABLE)
    .select("name")
    .execute();
  const names = new Set(known.map((m) => m.name));
  return { pending, unknown: recorded.map((r) => r.name).filter((name) => !names.has(name)) };
}

/**
 * For a store opened with `migrate: false`: checks, changing nothing, that every migration of
 * this version has run, and none this version does not know.
 */
export async function checkMigrated(
  db: Kysely<unknown>,
  target: MigrationTarget,
  schema?: string,
): Promise<void> {
  const known = await migratorOf(db, target, schema).getMigrations();
  const pending = known.filter((migration) => migration.executedAt === undefined);
  if (pending.length > 0) {
    throw new Error(
      `The database lacks the Entrance schema migrations ${pending.map((m) => m.name).join(", ")}. ` +
        "Run `migrate(DATABASE_URL)` from @entrance/store-sql first (e.g. in the deployment " +
        "step), or open the store without `migrate: false`.",
    );
  }
  const table = schema === undefined ? db : db.withSchema(schema);
  const recorded = await (table as Kysely<{ entrance_migration: { name: string } }>)
    .selectFrom(MIGRATION_TABLE)
    .select("name")
    .execute();
  const names = new Set(known.map((migration) => migration.name));
  const unknown = recorded.filter((row) => !names.has(row.name));
  if (unknown.length > 0) {
    throw new Error(
      `A newer @entrance/store-sql migrated this database (${unknown.map((r) => r.name).join(", ")}); ` +
        "upgrade this one.",
    );
  }
}

/**
 * SQLite: Kysely runs its migrations outside any transaction there (no lock either), so wrap them
 * in one `BEGIN IMMEDIATE`: it takes the write lock first, which makes migrations atomic and
 * serializes processes opening one file at the same moment (the later one waits, then finds
 * nothing to do).
 */
export async function migrateSqlite(db: Kysely<unknown>): Promise<string[]> {
  await sql`begin immediate`.execute(db);
  try {
    const applied = await migrate(db, { dialect: "sqlite" });
    await sql`commit`.execute(db);
    return applied;
  } catch (error) {
    await sql`rollback`.execute(db).catch(() => undefined);
    throw error;
  }
}
