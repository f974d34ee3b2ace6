import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { EntranceStore } from "@entrance/core";
import type Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { checkMigrated, migrateSqlite } from "./migrations.js";
import type { EntranceDatabase } from "./schema.js";
import {
  createSqlStore,
  type HotReads,
  type SchemaMode,
  type SqlStoreOptions,
  schemaMode,
} from "./store.js";
import { SIGNED_IN_SQL } from "./stores/signed-in.js";

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions extends SqlStoreOptions {
  /**
   * The database file; its folder is created when missing. `":memory:"` keeps everything in
   * memory, for tests.
   */
  readonly filename: string;
  /** How long a write waits for another process's lock before failing, in ms; 5000 by default. */
  readonly busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/**
 * The connection's page cache, in KiB; SQLite fills it as pages are read, up to this. A token
 * cache hit looks a user up in the primary key's index, then reads the row's page. With 100,000
 * users that index and the table's interior pages weigh about 10 MB, and each lookup of another
 * user brings a page of its own in; at better-sqlite3's 16 MB those pages push the index out, and
 * a random user's lookup read 1.36 pages from the file on average, at 64 MB 0.87 (the index of
 * about 500,000 users stays). Memory the process holds only as the file grows to it.
 */
const CACHE_KIB = 65_536;

/**
 * Migrations in progress per file in this process. Two connections of one process must not
 * migrate a file at the same moment: better-sqlite3 is synchronous, so the second would wait
 * for the lock while blocking the event loop the first needs to finish.
 */
const migrating = new Map<string, Promise<unknown>>();

async function serialized<T>(file: string, task: () => Promise<T>): Promise<T> {
  const previous = migrating.get(file) ?? Promise.resolve();
  const current = previous.catch(() => undefined).then(task);
  migrating.set(file, current);
  try {
    return await current;
  } finally {
    if (migrating.get(file) === current) migrating.delete(file);
  }
}

/**
 * Opens (creating it if needed) a SQLite database file as an Entrance store, and brings its
 * schema up to date. The connection runs in WAL mode (readers never wait for the writer), with a
 * busy timeout and foreign keys on.
 *
 * @example
 * ```ts
 * const store = await openSqliteStore({ filename: "./data/entrance.db" });
 * ```
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<EntranceStore> {
  const { db, database } = await sqliteDatabase(options, schemaMode(options));
  return createSqlStore(db, "sqlite", options, hotReads(database));
}

/**
 * Opens the file, and migrates the schema (or checks it); returns the database and the
 * migrations applied. Closes the file when it fails.
 */
export async function sqliteDatabase(
  options: SqliteStoreOptions,
  mode: SchemaMode,
): Promise<{ db: Kysely<EntranceDatabase>; database: Database.Database; applied: string[] }> {
  const { filename, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS } = options;
  if (typeof filename !== "string" || filename === "") {
    throw new TypeError('filename must be a file path or ":memory:"');
  }
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(`busyTimeoutMs must be a whole number of milliseconds ≥ 0`);
  }
  const inMemory = filename === ":memory:";
  let database: Database.Database;
  try {
    if (!inMemory) await mkdir(dirname(resolve(filename)), { recursive: true });
    // Loaded here, not with the package: a process on another database never holds the driver.
    const { default: Driver } = await import("better-sqlite3");
    database = new Driver(filename, { timeout: busyTimeoutMs });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not open the SQLite database ${resolve(filename)}: ${reason}`, {
      cause: error,
    });
  }
  try {
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    database.pragma("journal_mode = WAL");
    database.pragma("foreign_keys = ON");
    database.pragma(`cache_size = -${CACHE_KIB}`);
    // SQLite's own lower() folds ASCII letters only; the admin lists' case-insensitive search
    // (lower(column) LIKE lower(query)) should fold "Ö" as the memory store and PostgreSQL do.
    database.function("lower", { deterministic: true }, (value: unknown) =>
      typeof value === "string" ? value.toLowerCase() : value,
    );
  } catch (error) {
    database.close();
    throw error;
  }

  const db = new Kysely<EntranceDatabase>({
    dialect: new SqliteDialect({ database: reusingStatements(database) }),
  });
  try {
    if (mode === "check") {
      await checkMigrated(db as Kysely<unknown>, { dialect: "sqlite" });
      return { db, database, applied: [] };
    }
    const migrateFile = () => migrateSqlite(db as Kysely<unknown>);
    const applied = await (inMemory ? migrateFile() : serialized(resolve(filename), migrateFile));
    return { db, database, applied };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/**
 * The per-request reads as prepared statements run directly: better-sqlite3 answers at once, so
 * the row comes without Kysely's query building and connection lock (about 6 µs of a 17 µs read).
 * Safe beside Kysely because better-sqlite3 runs each statement to completion synchronously and
 * the store opens no transaction that spans an await.
 */
function hotReads(database: Database.Database): HotReads {
  const session = database.prepare('select * from "entrance_sessions" where "id_hash" = ?');
  const user = database.prepare(
    'select * from "entrance_users" where "tenant_id" = ? and "object_id" = ?',
  );
  const signedIn = database.prepare(SIGNED_IN_SQL);
  // The token reads pluck their one column: the value itself, not a row object around it.
  const token = database
    .prepare('select "data" from "entrance_token_partitions" where "partition" = ?')
    .pluck();
  // The index alone: it precedes `data` in the row, so SQLite reads the leaf page and at most the
  // first overflow page, not the chain that holds `data`.
  const tokenIndex = database
    .prepare('select "access_index" from "entrance_token_partitions" where "partition" = ?')
    .pluck();
  return {
    session: (idHash) => session.get(idHash) as ReturnType<HotReads["session"]>,
    signedIn: (idHash) => signedIn.get(idHash) as ReturnType<HotReads["signedIn"]>,
    user: (tenantId, objectId) => user.get(tenantId, objectId) as ReturnType<HotReads["user"]>,
    token: (partition) => token.get(partition) as ReturnType<HotReads["token"]>,
    tokenIndex: (partition) => tokenIndex.get(partition) as ReturnType<HotReads["tokenIndex"]>,
  };
}

/** The most prepared statements kept; Entrance's queries are a few dozen distinct texts. */
const STATEMENTS = 500;

/**
 * The connection as Kysely sees it, preparing each distinct SQL text once: Kysely asks for a
 * statement on every query, and preparing costs about a third of a token or session read.
 * better-sqlite3 runs a statement to completion before the next one starts, so reusing it is
 * safe (Entrance never streams a query, which would keep a statement busy).
 */
function reusingStatements(database: Database.Database) {
  const prepared = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string): Database.Statement {
      let statement = prepared.get(sql);
      if (!statement) {
        if (prepared.size >= STATEMENTS) prepared.clear();
        statement = database.prepare(sql);
        prepared.set(sql, statement);
      }
      return statement;
    },
  };
}
