import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { EntranceConfig } from "../config/schema.js";
import { EntranceError } from "../errors/entrance-error.js";
import { composeStores } from "./compose.js";
import { deferredStore } from "./deferred.js";
import type { EntranceStore, SessionSideStore } from "./types.js";

/** Where the default store keeps its SQLite file when no DATABASE_URL is set. */
export const DEFAULT_DATABASE = ".entrance/entrance.db";

/**
 * The store a newcomer gets when they pass none: @entrance/store-sql on the validated
 * `databaseUrl` (DATABASE_URL), or SQLite in `.entrance/`; with `redisUrl` (REDIS_URL) set, the
 * session side (sessions, login transactions, token partitions, locks) goes to
 * @entrance/store-redis instead, and SQL keeps the users and the audit log. Both are optional
 * peers of the adapters, so an app that passes its own store installs neither: an adapter hands
 * over an opener only for a package that is installed (resolved from the adapter's location).
 *
 * @param openSql - opens a SQL store for a URL (`openSqlStore`), or null when not installed.
 * @param openRedis - opens a Redis store for a URL (`openRedisStore`), or null when not
 *   installed; then a set REDIS_URL stops start-up with the command that installs it.
 */
export function defaultStore(
  openSql: ((databaseUrl: string) => Promise<EntranceStore>) | null,
  openRedis: ((redisUrl: string) => Promise<SessionSideStore>) | null = null,
): (config: EntranceConfig) => EntranceStore {
  return (config) => {
    if (config.redisUrl && !openRedis) {
      throw new EntranceError(
        "config_invalid",
        "REDIS_URL is set, but @entrance/store-redis is not installed: " +
          "`npm install @entrance/store-redis`, or unset REDIS_URL to keep sessions in SQL.",
      );
    }
    if (!openSql) {
      throw new EntranceError(
        "config_invalid",
        "Entrance needs a store: pass `store`, or `npm install @entrance/store-sql` for the " +
          "default (SQLite in .entrance/, or DATABASE_URL).",
      );
    }
    if (!config.databaseUrl) mkdirSync(dirname(DEFAULT_DATABASE), { recursive: true });
    const sql = openSql(config.databaseUrl ?? DEFAULT_DATABASE);
    if (!config.redisUrl || !openRedis) return deferredStore(sql);
    return deferredStore(bothOpened(openRedis(config.redisUrl), sql));
  };
}

/** Redis for the session side, SQL for the directory, once both are open; neither left open. */
async function bothOpened(
  redis: Promise<SessionSideStore>,
  sql: Promise<EntranceStore>,
): Promise<EntranceStore> {
  const [session, directory] = await Promise.allSettled([redis, sql]);
  if (session.status === "fulfilled" && directory.status === "fulfilled") {
    return composeStores({ session: session.value, directory: directory.value });
  }
  // Close whichever did open, then report what failed.
  for (const side of [session, directory]) {
    if (side.status === "fulfilled") await side.value.close().catch(() => undefined);
  }
  throw session.status === "rejected"
    ? session.reason
    : (directory as PromiseRejectedResult).reason;
}
