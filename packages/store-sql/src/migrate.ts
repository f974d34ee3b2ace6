import { parseDatabaseUrl } from "@entrance/core";
import { mysqlDatabase } from "./mysql.js";
import { postgresDatabase } from "./postgres.js";
import { sqliteDatabase } from "./sqlite.js";

/** What {@link migrate} did. */
export interface MigrationReport {
  /** The migrations this call applied, in order; empty when the schema was up to date. */
  readonly applied: readonly string[];
}

/**
 * Brings the schema of the database a `DATABASE_URL` names up to date, then disconnects: for
 * deployments that forbid schema changes at start-up, run it in a step of its own and open the
 * stores with `migrate: false`. Safe when several run at once (or while stores open): one
 * migrates under the database's lock (PostgreSQL advisory lock, MySQL `GET_LOCK`, SQLite's
 * write lock), the others wait and then find nothing to do.
 *
 * @example
 * ```ts
 * // deploy step: node -e 'import("@entrance/store-sql").then((m) => m.migrate(process.env.DATABASE_URL))'
 * const { applied } = await migrate(process.env.DATABASE_URL ?? "./data/entrance.db");
 * console.log(applied.length ? `applied ${applied.join(", ")}` : "schema up to date");
 * ```
 */
export async function migrate(databaseUrl: string): Promise<MigrationReport> {
  const target = parseDatabaseUrl(databaseUrl);
  const { db, applied } = await (target.dialect === "postgres"
    ? postgresDatabase({ connectionString: target.connectionString }, "migrate")
    : target.dialect === "mysql"
      ? mysqlDatabase({ connectionString: target.connectionString }, "migrate")
      : sqliteDatabase({ filename: target.filename }, "migrate"));
  await db.destroy();
  return { applied };
}
