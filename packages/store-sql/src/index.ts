/**
 * SQLite and PostgreSQL stores for Entrance: one set of queries (Kysely) for both, tables
 * prefixed `entrance_`, schema migrations applied at open.
 */
export { type DatabaseTarget, openSqlStore, parseDatabaseUrl } from "./database-url.js";
export { openPostgresStore, type PostgresStoreOptions } from "./postgres.js";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite.js";
export type { SqlStoreOptions } from "./store.js";
