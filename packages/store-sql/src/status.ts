import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseDatabaseUrl } from "@entrance/core";
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from "kysely";
import { type MigrationStatus, migrationStatus } from "./migrations.js";
import { connection } from "./mysql.js";

/** What {@link schemaStatus} found: whether the schema is what this version of the store needs. */
export type SchemaStatus =
  /** The database answered; `pending` and `unknown` say how its schema differs (both empty: current). */
  | ({
      readonly state: "answered";
      readonly dialect: "sqlite" | "postgres" | "mysql";
    } & MigrationStatus)
  /** A SQLite file that does not exist (yet): opening a store would create it. */
  | { readonly state: "no-file"; readonly filename: string }
  /** In-memory SQLite: a new, empty database for each store that opens it. */
  | { readonly state: "in-memory" };

/** Options of {@link schemaStatus}. */
export interface SchemaStatusOptions {
  /** How long connecting may take, in milliseconds; 5,000 by default. */
  readonly timeoutMs?: number;
}

/**
 * Asks the database a `DATABASE_URL` names whether it holds the schema this version needs,
 * changing nothing: no file is created, no table, no lock taken (a SQLite file is opened
 * read-only). For checks before a deployment (`npx entrance doctor`); {@link migrate} brings the
 * schema up to date. Throws when the database cannot be reached, with the driver's reason and
 * never the URL.
 *
 * @example
 * ```ts
 * const status = await schemaStatus(process.env.DATABASE_URL ?? "./data/entrance.db");
 * if (status.state === "answered" && status.pending.length > 0) console.log("run migrate first");
 * ```
 */
export async function schemaStatus(
  databaseUrl: string,
  options: SchemaStatusOptions = {},
): Promise<SchemaStatus> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const target = parseDatabaseUrl(databaseUrl);
  if (target.dialect === "sqlite") {
    const { filename } = target;
    if (filename === ":memory:") return { state: "in-memory" };
    if (!existsSync(filename)) return { state: "no-file", filename: resolve(filename) };
    // Each driver is loaded for its own kind of URL only, as when a store opens.
    const { default: Database } = await import("better-sqlite3");
    const database = new Database(filename, { readonly: true, fileMustExist: true });
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    try {
      return {
        state: "answered",
        dialect: "sqlite",
        ...(await migrationStatus(db, { dialect: "sqlite" })),
      };
    } finally {
      await db.destroy();
    }
  }
  if (target.dialect === "postgres") {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({
      connectionString: target.connectionString,
      connectionTimeoutMillis: timeoutMs,
      max: 1,
    });
    pool.on("error", () => undefined);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    try {
      const { rows } = await sql<{
        schema: string | null;
      }>`select current_schema() as schema`.execute(db);
      const schema = rows[0]?.schema;
      if (!schema) {
        throw new Error(
          "The PostgreSQL search_path names no existing schema to hold the Entrance tables: create the schema, or set search_path.",
        );
      }
      return {
        state: "answered",
        dialect: "postgres",
        ...(await migrationStatus(db, { dialect: "postgres" }, schema)),
      };
    } finally {
      await db.destroy();
    }
  }
  const { createPool } = await import("mysql2");
  const pool = createPool({
    connectTimeout: timeoutMs,
    connectionLimit: 1,
    ...connection(target.connectionString),
  });
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) });
  try {
    return {
      state: "answered",
      dialect: "mysql",
      ...(await migrationStatus(db, { dialect: "mysql" })),
    };
  } finally {
    await db.destroy();
  }
}
