import { DEFAULT_DATABASE, type EntranceConfig } from "@entrance/core";
import { type Finding, finding } from "../findings.js";
import { databaseUrlIn, loadFromProject } from "../project.js";

type StoreSql = typeof import("@entrance/store-sql");
type StoreRedis = typeof import("@entrance/store-redis");

/** How long a store may take to answer before it counts as unreachable. */
const TIMEOUT_MS = 5_000;

/**
 * The SQL database the default store uses (DATABASE_URL, or SQLite in .entrance/): reachable,
 * and holding every migration of the installed @entrance/store-sql — asked without changing
 * anything (`schemaStatus`), so doctor never creates a file or a table.
 */
export async function checkDatabase(config: EntranceConfig, cwd: string): Promise<Finding[]> {
  const databaseUrl = config.databaseUrl ?? DEFAULT_DATABASE;
  const what = config.databaseUrl
    ? "DATABASE_URL"
    : `the default SQLite file ${DEFAULT_DATABASE} (no DATABASE_URL)`;
  const storeSql = await loadFromProject<StoreSql>(cwd, "@entrance/store-sql");
  if (!storeSql) {
    return [
      finding(
        "database",
        "store_sql_missing",
        "warning",
        `@entrance/store-sql is not installed, so ${what} was not checked (an app that passes its own store needs none).`,
        "npm install @entrance/store-sql (the default store)",
      ),
    ];
  }
  let status: Awaited<ReturnType<StoreSql["schemaStatus"]>>;
  try {
    status = await storeSql.schemaStatus(databaseUrlIn(cwd, databaseUrl), {
      timeoutMs: TIMEOUT_MS,
    });
  } catch (error) {
    return [
      finding(
        "database",
        "database_unreachable",
        "error",
        `${what} could not be reached: ${reasonOf(error)}.`,
        "check that the database runs and that DATABASE_URL's host, port, user, password and database are right (and that this machine may connect)",
      ),
    ];
  }
  const migrate =
    "run `npx entrance migrate` (or `migrate(DATABASE_URL)` from @entrance/store-sql) in the deployment step";
  switch (status.state) {
    case "in-memory":
      return [
        finding(
          "database",
          "database_in_memory",
          "warning",
          "DATABASE_URL names an in-memory SQLite database: every user, session and token is lost when the app stops, and instances share nothing.",
          "use a SQLite file, PostgreSQL or MySQL for anything but tests",
        ),
      ];
    case "no-file":
      return [
        finding(
          "database",
          "database_not_migrated",
          config.databaseUrl ? "error" : "info",
          `the SQLite file ${status.filename} does not exist yet: the app creates it (and its tables) at start-up unless it opens the store with migrate: false.`,
          migrate,
        ),
      ];
    case "answered":
      if (status.unknown.length > 0) {
        return [
          finding(
            "database",
            "database_newer_schema",
            "error",
            `${what}: a newer @entrance/store-sql migrated this database (${status.unknown.join(", ")}); this app's version would refuse it.`,
            "upgrade @entrance/store-sql (and Entrance) in this app to the version that migrated the database",
          ),
        ];
      }
      if (status.pending.length > 0) {
        return [
          finding(
            "database",
            "database_not_migrated",
            "error",
            `${what} (${status.dialect}) answers but lacks the Entrance schema migrations ${status.pending.join(", ")}.`,
            `${migrate}; an app that opens its store with the default migrate: true applies them itself at start-up`,
          ),
        ];
      }
      return [
        finding(
          "database",
          "database_ok",
          "ok",
          `${what} (${status.dialect}) answers and its schema is up to date.`,
        ),
      ];
  }
}

/** REDIS_URL, when set: the session side's server answers a PING. */
export async function checkRedis(config: EntranceConfig, cwd: string): Promise<Finding[]> {
  if (!config.redisUrl) return [];
  const storeRedis = await loadFromProject<StoreRedis>(cwd, "@entrance/store-redis");
  if (!storeRedis) {
    return [
      finding(
        "redis",
        "store_redis_missing",
        "error",
        "REDIS_URL is set, but @entrance/store-redis is not installed: the app will refuse to start.",
        "npm install @entrance/store-redis, or unset REDIS_URL to keep sessions in SQL",
      ),
    ];
  }
  try {
    const store = await storeRedis.openRedisStore({
      url: config.redisUrl,
      openTimeoutMs: TIMEOUT_MS,
      // One attempt: doctor reports a server that is away rather than waiting for it.
      redis: { retryStrategy: () => null, connectTimeout: TIMEOUT_MS },
    });
    try {
      await store.ping?.();
    } finally {
      await store.close();
    }
  } catch (error) {
    return [
      finding(
        "redis",
        "redis_unreachable",
        "error",
        `REDIS_URL could not be reached: ${reasonOf(error)}.`,
        "check that Redis runs and that REDIS_URL's host, port and password are right (rediss:// for TLS)",
      ),
    ];
  }
  return [finding("redis", "redis_ok", "ok", "REDIS_URL answers (PING).")];
}

/** An error's message without any URL in it (a URL may carry a password). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\b[a-z][a-z\d+.-]*:\/\/\S+/gi, "<url>").split("\n")[0] ?? "";
}
