import type { EntranceStore } from "@entrance/core";
import { Kysely, MysqlDialect, sql } from "kysely";
import type { PoolOptions } from "mysql2";
import { checkMigrated, migrate } from "./migrations.js";
import type { EntranceDatabase } from "./schema.js";
import { createSqlStore, type SchemaMode, type SqlStoreOptions, schemaMode } from "./store.js";

/** Options of {@link openMysqlStore}. */
export interface MysqlStoreOptions extends SqlStoreOptions {
  /**
   * `mysql://user:password@host:3306/database` (or `mariadb://`); wins over `pool.uri` and the
   * pool's host, user, password and database.
   */
  readonly connectionString?: string;
  /**
   * Options for the mysql2 pool (size, TLS, …). The connection timeout is 10 s unless
   * `connectTimeout` says otherwise; the character set is always utf8mb4.
   */
  readonly pool?: PoolOptions;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a MySQL (8.0 or later) or MariaDB (10.5 or later) database as an Entrance store, creating
 * or upgrading its tables in the URL's database. Tables are utf8mb4 with a binary, no-pad
 * collation, so keys compare exactly as in SQLite and PostgreSQL. Safe when several instances
 * start at once: Kysely's migrator holds `GET_LOCK` while it migrates.
 *
 * @example
 * ```ts
 * const store = await openMysqlStore({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export async function openMysqlStore(options: MysqlStoreOptions = {}): Promise<EntranceStore> {
  const { db } = await mysqlDatabase(options, schemaMode(options));
  return createSqlStore(db, "mysql", options);
}

/**
 * Connects, and migrates the schema (or checks it); returns the database and the migrations
 * applied. Closes the pool when it fails.
 */
export async function mysqlDatabase(
  options: MysqlStoreOptions,
  mode: SchemaMode,
): Promise<{ db: Kysely<EntranceDatabase>; applied: string[] }> {
  // Loaded here, not with the package: a process on another database never holds the driver.
  const { createPool } = await import("mysql2");
  const pool = createPool({
    connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
    ...options.pool,
    ...(options.connectionString === undefined ? {} : connection(options.connectionString)),
    charset: "utf8mb4",
  });
  const db = new Kysely<EntranceDatabase>({ dialect: new MysqlDialect({ pool }) });
  try {
    const { rows } = await sql<{
      version: string;
      database: string | null;
    }>`select version() as version, database() as ${sql.ref("database")}`.execute(db);
    const found = rows[0];
    if (!found?.database) {
      throw new Error(
        "The connection names no database to hold the Entrance tables: add one to the URL " +
          "(mysql://user@host:3306/database).",
      );
    }
    const target = {
      dialect: "mysql",
      // MariaDB and MySQL 8 name their binary no-pad collations differently.
      collation: /mariadb/i.test(found.version) ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin",
    } as const;
    if (mode === "check") {
      await checkMigrated(db as Kysely<unknown>, target);
      return { db, applied: [] };
    }
    return { db, applied: await migrate(db as Kysely<unknown>, target) };
  } catch (error) {
    await db.destroy();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not open the MySQL store: ${reason}`, { cause: error });
  }
}

/** The pool options of a mysql:// or mariadb:// URL (mysql2 reads mysql:// URIs only). */
export function connection(connectionString: string): PoolOptions {
  return { uri: connectionString.replace(/^mariadb:/i, "mysql:") };
}
