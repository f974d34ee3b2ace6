import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { EntranceConfig } from "../config/schema.js";
import { EntranceError } from "../errors/entrance-error.js";
import { composeStores } from "./compose.js";
import { deferredStore } from "./deferred.js";
import { installedRedis, installedSql, type RedisOpener, type SqlOpener } from "./peers.js";
import type { EntranceStore, SessionSideStore } from "./types.js";

/** Where the default store keeps its SQLite file when no DATABASE_URL is set. */
export const DEFAULT_DATABASE = ".entrance/entrance.db";

/**
 * The store a newcomer gets when they pass none: @entrance/store-sql on the validated
 * `databaseUrl` (DATABASE_URL), or SQLite in `.entrance/`; with `redisUrl` (REDIS_URL) set, the
 * session side (sessions, login transactions, token partitions, locks) goes to
 * @entrance/store-redis instead, and SQL keeps the users and the audit log. Both are optional
 * peers, so an app that passes its own store installs neither: by default each is loaded by name
 * when installed (`storage/peers.ts`).
 *
 * @param openSql - opens a SQL store for a URL (`openSqlStore`), or null when not installed;
 *   default: @entrance/store-sql's if installed.
 * @param openRedis - opens a Redis store for a URL (`openRedisStore`), or null when not
 *   installed; then a set REDIS_URL stops start-up with the command that installs it. Default:
 *   @entrance/store-redis's if installed.
 */
export function defaultStore(
  openSql: SqlOpener | null = installedSql(),
  openRedis: RedisOpener | null = installedRedis(),
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
    const databaseUrl = config.databaseUrl ?? DEFAULT_DATABASE;
    const { redisUrl } = config;
    // An opener, not a promise: a store unreachable at start-up is opened again at the next
    // call, so the app recovers by itself once it answers.
    if (!redisUrl || !openRedis) return deferredStore(() => openSql(databaseUrl));
    return deferredStore(() => bothOpened(openRedis(redisUrl), openSql(databaseUrl)));
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
