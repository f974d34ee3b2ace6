/**
 * The PostgreSQL and Redis a store benchmark writes to: checked reachable before anything starts
 * (a benchmark that asked for them fails rather than measuring less), given a place of their own
 * for this run (a fresh PostgreSQL schema, a fresh Redis key prefix), and emptied at the end.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";

/** Where a store variant keeps its data. */
export type StoreKind = "memory" | "sqlite" | "postgres" | "redis";

/** The machine's PostgreSQL (trust authentication, database `test`) unless BENCH_POSTGRES_URL says. */
export const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";
/** The machine's Redis unless BENCH_REDIS_URL says. */
export const REDIS_URL = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379";

/** This run's place in PostgreSQL: a schema that no one else's data is in. */
export interface PostgresTarget {
  readonly url: string;
  readonly schema: string;
}

/** This run's place in Redis: a key prefix that no one else's keys start with. */
export interface RedisTarget {
  readonly url: string;
  readonly keyPrefix: string;
}

/** The places of this run, for the kinds it measures. */
export interface Backends {
  readonly postgres?: PostgresTarget;
  readonly redis?: RedisTarget;
  /** Versions of the servers, for the report. */
  readonly versions: Readonly<Record<string, string>>;
}

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Checks that PostgreSQL and Redis answer (for the kinds in `kinds` only), creates this run's
 * schema, and registers with `onCleanUp` what removes it and this run's Redis keys. Throws a
 * message that names the server, its setting and `excludeHint(kind)` (how to run without it)
 * when one does not answer.
 */
export async function prepareBackends(
  kinds: ReadonlySet<StoreKind>,
  onCleanUp: (clean: () => Promise<void>) => void,
  excludeHint: (kind: StoreKind) => string,
): Promise<Backends> {
  const run = randomBytes(6).toString("hex");
  const versions: Record<string, string> = {};
  let postgres: PostgresTarget | undefined;
  let redis: RedisTarget | undefined;
  if (kinds.has("postgres")) {
    const schema = `entrance_bench_${run}`;
    const client = await connectPostgres(excludeHint("postgres"));
    try {
      const { rows } = await client.query<{ server_version: string }>("show server_version");
      versions.postgresql = rows[0]?.server_version ?? "unknown";
      await client.query(`create schema ${schema}`);
    } finally {
      await client.end();
    }
    onCleanUp(async () => {
      const cleaner = await connectPostgres(excludeHint("postgres"));
      try {
        await cleaner.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await cleaner.end();
      }
    });
    postgres = { url: POSTGRES_URL, schema };
  }
  if (kinds.has("redis")) {
    const keyPrefix = `entrance-bench-${run}:`;
    const client = await connectRedis(excludeHint("redis"));
    try {
      const info = await client.info("server");
      versions.redis = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? "unknown";
    } finally {
      client.disconnect();
    }
    onCleanUp(async () => {
      const cleaner = await connectRedis(excludeHint("redis"));
      try {
        await deleteKeys(cleaner, keyPrefix);
      } finally {
        cleaner.disconnect();
      }
    });
    redis = { url: REDIS_URL, keyPrefix };
  }
  return {
    ...(postgres ? { postgres } : {}),
    ...(redis ? { redis } : {}),
    versions,
  };
}

/** A PostgreSQL client for `POSTGRES_URL`, connected; or an error naming the fix. */
export async function connectPostgres(excludeHint: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: POSTGRES_URL,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw unreachable("PostgreSQL", POSTGRES_URL, "BENCH_POSTGRES_URL", excludeHint, error);
  }
}

/** A Redis client for `REDIS_URL`, connected and answering; or an error naming the fix. */
export async function connectRedis(excludeHint: string): Promise<Redis> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    // Fail now rather than retry: the benchmark is told at once that Redis is not there.
    retryStrategy: () => null,
  });
  // Without a listener the event would crash the process; its error says more than the
  // rejection of connect() ("Connection is closed").
  let cause: unknown;
  client.on("error", (error: unknown) => {
    cause = error;
  });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    throw unreachable("Redis", REDIS_URL, "BENCH_REDIS_URL", excludeHint, cause ?? error);
  }
}

/** Deletes every key under `prefix`, scanning (never KEYS, which blocks the server). */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}

/** Counts the keys under `pattern` (a SCAN glob), scanning. */
export async function countKeys(client: Redis, pattern: string): Promise<number> {
  let count = 0;
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== "0");
  return count;
}

/** The URL's host and port only: a URL may hold a password, which must not be printed. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || url.split("@").pop() || "?";
  } catch {
    return "(an unparsable URL)";
  }
}

function unreachable(
  server: string,
  url: string,
  setting: string,
  excludeHint: string,
  error: unknown,
): Error {
  const why = error instanceof Error ? error.message : String(error);
  return new Error(
    `${server} at ${hostOf(url)} did not answer (${why}). Start it, point ${setting} at one, ` +
      `or leave its variants out: ${excludeHint}`,
  );
}

/**
 * Checks that this run's sessions are where their variants say: at least `postgres` session rows
 * in the run's schema and `redis` session keys under its prefix (one per signed-in server), so
 * that a variant cannot be measuring another store than its name says.
 */
export async function checkSessionsStored(
  backends: Backends,
  expected: { readonly postgres: number; readonly redis: number },
): Promise<void> {
  if (backends.postgres && expected.postgres > 0) {
    const client = await connectPostgres("");
    try {
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from ${backends.postgres.schema}.entrance_sessions`,
      );
      const found = Number(rows[0]?.n ?? 0);
      if (found < expected.postgres) {
        throw new Error(`PostgreSQL holds ${found} sessions, not ${expected.postgres} or more`);
      }
    } finally {
      await client.end();
    }
  }
  if (backends.redis && expected.redis > 0) {
    const client = await connectRedis("");
    try {
      // Session keys are `<prefix>{s:<id hash>}` (packages/store-redis/src/keys.ts).
      const found = await countKeys(client, `${backends.redis.keyPrefix}{s:*`);
      if (found < expected.redis) {
        throw new Error(`Redis holds ${found} sessions, not ${expected.redis} or more`);
      }
    } finally {
      client.disconnect();
    }
  }
}
