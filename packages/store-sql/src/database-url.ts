import { type DatabaseTarget, type EntranceStore, parseDatabaseUrl } from "@entrance/core";
import { openMysqlStore } from "./mysql.js";
import { openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { SqlStoreOptions } from "./store.js";

// The parser lives in core, which validates DATABASE_URL with the rest of the configuration.
export { type DatabaseTarget, parseDatabaseUrl };

/**
 * Opens the store a `DATABASE_URL` names (see {@link parseDatabaseUrl}), migrating its schema.
 *
 * @example
 * ```ts
 * const store = await openSqlStore(process.env.DATABASE_URL ?? "./data/entrance.db");
 * ```
 */
export async function openSqlStore(
  databaseUrl: string,
  options: SqlStoreOptions = {},
): Promise<EntranceStore> {
  const target = parseDatabaseUrl(databaseUrl);
  switch (target.dialect) {
    case "postgres":
      return openPostgresStore({ ...options, connectionString: target.connectionString });
    case "mysql":
      return openMysqlStore({ ...options, connectionString: target.connectionString });
    case "sqlite":
      return openSqliteStore({ ...options, filename: target.filename });
  }
}
