/**
 * SQLite, PostgreSQL and MySQL/MariaDB stores for Entrance: one set of queries (Kysely) for all, tables
 * prefixed `entrance_`, schema migrations applied at open. Each store implements both sides of
 * the store contract (a complete `EntranceStore`), and also serves as either side alone in
 * `composeStores` from `@entrance/core`, e.g. as the directory beside a Redis session side.
 */
export { type DatabaseTarget, openSqlStore, parseDatabaseUrl } from "./database-url.js";
export { type MigrationReport, migrate } from "./migrate.js";
export type { MigrationStatus } from "./migrations.js";
export { type MysqlStoreOptions, openMysqlStore } from "./mysql.js";
export { openPostgresStore, type PostgresStoreOptions } from "./postgres.js";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite.js";
export { type SchemaStatus, type SchemaStatusOptions, schemaStatus } from "./status.js";
export type { SqlStoreOptions } from "./store.js";
