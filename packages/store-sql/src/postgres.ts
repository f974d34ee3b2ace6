import type { EntranceStore } from "@entrance/core";
import { Kysely, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import { checkMigrated, migrate } from "./migrations.js";
import type { EntranceDatabase } from "./schema.js";
import { createSqlStore, type SchemaMode, type SqlStoreOptions, schemaMode } from "./store.js";

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions extends SqlStoreOptions {
  /** `postgres://user:password@host:5432/database`; wins over `pool.connectionString`. */
  readonly connectionString?: string;
  /**
   * Options for the pg `Pool` (size, TLS, `options: "-c search_path=…"`, …). Unset fields fall
   * back to pg's defaults and the `PG*` environment variables, except `connectionTimeoutMillis`,
   * which is 10 s here instead of "wait forever".
   */
  readonly pool?: pg.PoolConfig;
  /**
   * Called when an idle pooled connection fails (e.g. the server restarted). pg drops that
   * connection and the next query opens a new one; without a listener the error would crash the
   * process. Ignored by default.
   */
  readonly onError?: (error: Error) => void;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;

/**
 * Opens a PostgreSQL database as an Entrance store, creating or upgrading its tables in the
 * first schema of the search path. Safe when several instances start at once: Kysely's migrator
 * holds an advisory lock, and migrations run in a transaction.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export async function openPostgresStore(
  options: PostgresStoreOptions = {},
): Promise<EntranceStore> {
  const { db } = await postgresDatabase(options, schemaMode(options));
  return createSqlStore(db, "postgres", options);
}

/**
 * Connects, and migrates the schema (or checks it); returns the database and the migrations
 * applied. Closes the pool when it fails.
 */
export async function postgresDatabase(
  options: PostgresStoreOptions,
  mode: SchemaMode,
): Promise<{ db: Kysely<EntranceDatabase>; applied: string[] }> {
  // Loaded here, not with the package: a process on another database never holds the driver.
  const { default: driver } = await import("pg");
  const pool = new driver.Pool({
    connectionTimeoutMillis: DEFAULT_CONNECTION_TIMEOUT_MS,
    ...options.pool,
    ...(options.connectionString === undefined
      ? {}
      : { connectionString: options.connectionString }),
  });
  pool.on("error", options.onError ?? (() => undefined));
  const db = new Kysely<EntranceDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    const { rows } = await sql<{
      schema: string | null;
    }>`select current_schema() as schema`.execute(db);
    const schema = rows[0]?.schema;
    if (!schema) {
      throw new Error(
        "The PostgreSQL search_path names no existing schema to hold the Entrance tables: " +
          "create the schema, or set search_path (e.g. the pool option " +
          '`options: "-c search_path=myschema"`).',
      );
    }
    const target = { dialect: "postgres" } as const;
    if (mode === "check") {
      await checkMigrated(db as Kysely<unknown>, target, schema);
      return { db, applied: [] };
    }
    return { db, applied: await migrate(db as Kysely<unknown>, target, schema) };
  } catch (error) {
    await db.destroy();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not open the PostgreSQL store: ${reason}`, { cause: error });
  }
}
