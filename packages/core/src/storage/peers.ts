/**
 * The default store's packages, loaded by name at run time. @entrance/store-sql and
 * @entrance/store-redis build on core, so core never imports them; they are optional peers, so an
 * app that passes its own store installs neither (no native module, no Redis client). The names
 * are held in constants: neither the compiler nor a bundler follows them, and nothing is loaded
 * until a default store is opened.
 */
import { createRequire } from "node:module";
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
