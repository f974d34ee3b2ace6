/**
 * The default store's packages, loaded by name at run time. @entrance/store-sql and
 * @entrance/store-redis build on core, so core never imports them; they are optional peers, so an
 * app that passes its own store installs neither (no native module, no Redis client). The names
 * are held in constants: neither the compiler nor a bundler follows them, and nothing is loaded
 * until a default store is opened.
 */
import { createRequire } from "node:module";
import { EntranceError } from "../errors/entrance-error.js";
import type { EntranceStore, SessionSideStore } from "./types.js";

const SQL = "@entrance/store-sql";
const REDIS = "@entrance/store-redis";

/** Opens a SQL store for a DATABASE_URL (`openSqlStore`). */
export type SqlOpener = (databaseUrl: string) => Promise<EntranceStore>;
/** Opens a Redis store for a REDIS_URL (`openRedisStore`). */
export type RedisOpener = (redisUrl: string) => Promise<SessionSideStore>;

/** `openSqlStore` of @entrance/store-sql when it is installed, else null. */
export function installedSql(): SqlOpener | null {
  if (!installed(SQL)) return null;
  return async (url) => ((await import(SQL)) as { openSqlStore: SqlOpener }).openSqlStore(url);
}

/** `openRedisStore({ url })` of @entrance/store-redis when it is installed, else null. */
export function installedRedis(): RedisOpener | null {
  if (!installed(REDIS)) return null;
  type RedisModule = { openRedisStore(options: { url: string }): Promise<SessionSideStore> };
  return async (url) => ((await import(REDIS)) as RedisModule).openRedisStore({ url });
}

/** Whether `name` resolves from core's location: where `import()` above will look for it. */
function installed(name: string): boolean {
  try {
    return Boolean(createRequire(import.meta.url).resolve(name));
  } catch {
    return false;
  }
}

/** What @entrance/store-sql exports, as far as the default store needs it. */
export interface SqlModule {
  openSqlStore: SqlOpener;
}
/** What @entrance/store-redis exports, as far as the default store needs it. */
export interface RedisModule {
  openRedisStore(options: { url: string }): Promise<SessionSideStore>;
}

/**
 * An opener for the default store from the app's own `import()` of @entrance/store-sql: where a
 * bundler builds the server (Next.js), the probe above always fails, while an `import()` whose
 * name the bundler sees in the adapter's source works. A missing package stops the first request
 * with the fix.
 * An adapter writes the `import()` with the package's name in its own source, as
 * packages/next/src/core.ts does, and passes the function here.
 */
export function importedSql(load: () => Promise<SqlModule>): SqlOpener {
  return async (url) => (await loaded(load, SQL, "pass `store`, or install it")).openSqlStore(url);
}

/** As {@link importedSql}, for @entrance/store-redis (used when REDIS_URL is set). */
export function importedRedis(load: () => Promise<RedisModule>): RedisOpener {
  return async (url) =>
    (await loaded(load, REDIS, "install it, or unset REDIS_URL")).openRedisStore({ url });
}

async function loaded<M>(load: () => Promise<M>, name: string, fix: string): Promise<M> {
  try {
    return await load();
  } catch (cause) {
    throw new EntranceError("config_invalid", `Entrance's default store needs ${name}: ${fix}.`, {
      cause,
    });
  }
}
