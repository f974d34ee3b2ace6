/**
 * Opens the store a bench server was set up with, as each store's README shows it: the memory
 * store of @entrance/core, a SQLite file, PostgreSQL in this run's schema, or Redis for the
 * session side joined by `composeStores` to SQLite for the directory.
 */
import { composeStores, createMemoryStore, type EntranceStore } from "@entrance/core";
import { openRedisStore } from "@entrance/store-redis";
import { openPostgresStore, openSqlStore } from "@entrance/store-sql";
import type { StoreSetup } from "./protocol.js";

/**
 * The store `store` names, opened (and migrated, for SQL); `databasePath` is the SQLite file of
 * the SQLite store, and of the Redis store's directory side.
 */
export async function openBenchStore(
  store: StoreSetup,
  databasePath: string | undefined,
): Promise<EntranceStore> {
  const sqliteFile = () => {
    if (!databasePath) throw new Error(`an Entrance store on ${store.kind} needs a SQLite file`);
    return databasePath;
  };
  switch (store.kind) {
    case "memory":
      return createMemoryStore();
    case "sqlite":
      return openSqlStore(sqliteFile());
    case "postgres":
      return openPostgresStore({
        connectionString: store.url,
        // The schema's name is made by the harness: letters, digits and underscores only.
        pool: { options: `-c search_path=${store.schema}` },
      });
    case "redis":
      return composeStores({
        session: await openRedisStore({ url: store.url, keyPrefix: store.keyPrefix }),
        directory: await openSqlStore(sqliteFile()),
      });
  }
}
