/**
 * The stores the scale-out tests give reference-app processes: a PostgreSQL database of their own
 * (created, then dropped with whatever is connected to it) and counts of what a Redis holds.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";

const POSTGRES =
  process.env.ENTRANCE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function onServer<T>(run: (client: pg.Client) => Promise<T>, url = POSTGRES): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh PostgreSQL database on the test server. */
export interface TestDatabase {
  /** Its DATABASE_URL. */
  readonly url: string;
  /** Users, sessions and token partitions in it. */
  counts(): Promise<{ users: number; sessions: number; partitions: number }>;
  drop(): Promise<void>;
}

export async function createDatabase(name: string): Promise<TestDatabase> {
  const database = `entrance_${name}_${randomBytes(6).toString("hex")}`;
  await onServer((client) => client.query(`create database "${database}"`));
  const url = `${POSTGRES.replace(/\/[^/]*$/, "")}/${database}`;
  return {
    url,
    counts: () =>
      onServer(async (client) => {
        const count = async (table: string) =>
          Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
        return {
          users: await count("entrance_users"),
          sessions: await count("entrance_sessions"),
          partitions: await count("entrance_token_partitions"),
        };
      }, url),
    async drop() {
      await onServer((client) =>
        client.query(`drop database if exists "${database}" with (force)`),
      );
    },
  };
}

/** Sessions and token partitions in the Redis at `url`, under the default prefix `entrance:`. */
export async function redisCounts(url: string): Promise<{ sessions: number; partitions: number }> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const count = async (pattern: string) => {
      let n = 0;
      for await (const keys of redis.scanStream({ match: pattern, count: 1000 })) {
        n += (keys as string[]).length;
      }
      return n;
    };
    return { sessions: await count("entrance:{s:*"), partitions: await count("entrance:{t:*") };
  } finally {
    redis.disconnect();
  }
}
