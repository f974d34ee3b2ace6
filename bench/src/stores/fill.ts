/**
 * Fills PostgreSQL and Redis with many users' token partitions in seconds: PostgreSQL by batches
 * of rows in one statement each (`unnest` of arrays), bypassing the store API as the SQLite fill
 * does; Redis through the store's own `tokens.put` (one SET each), many in flight at once, which
 * ioredis sends down one connection back to back (a pipeline in effect).
 */
import type { EntranceStore } from "@entrance/core";
import {
  describeStore,
  encryptedPartitions,
  type FillOptions,
  fillTokenStore,
} from "../token-store.js";
import {
  type Backends,
  connectPostgres,
  connectRedis,
  countKeys,
  type PostgresTarget,
  type StoreKind,
} from "./backends.js";

/** Rows per PostgreSQL statement, and per batch of Redis puts. */
const BATCH = 2_000;

/** What {@link fillStore} needs. */
export interface StoreFill {
  readonly kind: StoreKind;
  /** The store, opened (and migrated) by the bench. */
  readonly store: EntranceStore;
  /** The SQLite file, for the SQLite store. */
  readonly filename: string;
  readonly backends: Backends;
  /** The synthetic users and how to make their caches. */
  readonly partitions: Pick<FillOptions, "secrets" | "tenantId" | "objectIds" | "cacheFor">;
  /** How to run without this store, for the message when its server does not answer. */
  readonly excludeHint: string;
}

/**
 * Adds the synthetic users' partitions to one store, the fastest way for its kind, and returns
 * how many partitions the store then holds, counted in the store itself.
 */
export async function fillStore(fill: StoreFill): Promise<number> {
  const { kind, backends } = fill;
  if (kind === "sqlite") {
    fillTokenStore({ filename: fill.filename, ...fill.partitions });
    return describeStore(fill.filename).partitions;
  }
  if (kind === "postgres" && backends.postgres) {
    await fillPostgres(
      backends.postgres,
      encryptedPartitions(fill.partitions, BATCH),
      fill.excludeHint,
    );
    return countPostgresPartitions(backends.postgres, fill.excludeHint);
  }
  if (kind === "redis" && backends.redis) {
    await fillThroughStore(fill.store, encryptedPartitions(fill.partitions, BATCH));
    const client = await connectRedis(fill.excludeHint);
    try {
      // The token keys are `<prefix>{t:<partition>}` (packages/store-redis/src/keys.ts).
      return await countKeys(client, `${backends.redis.keyPrefix}{t:*`);
    } finally {
      client.disconnect();
    }
  }
  throw new Error(`no fill for the ${kind} store`);
}

/** The rows a fill writes: each user's encrypted partition, its data and its index. */
export type PartitionBatches = Iterable<
  readonly { partition: string; data: Uint8Array; index: Uint8Array }[]
>;

/** The bytes as a Buffer view (no copy), as the drivers take them. */
const bufferOf = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** PostgreSQL's token table in this run's schema (made by the store's migrations). */
const tokensTable = (schema: string) => `${schema}.entrance_token_partitions`;

/** Inserts every batch into the token table of `target`'s schema, one statement per batch. */
export async function fillPostgres(
  target: PostgresTarget,
  batches: PartitionBatches,
  excludeHint: string,
): Promise<number> {
  const client = await connectPostgres(excludeHint);
  try {
    let rows = 0;
    const now = Date.now();
    for (const batch of batches) {
      await client.query(
        `insert into ${tokensTable(target.schema)} (partition, access_index, data, updated_at) ` +
          "select * from unnest($1::text[], $2::bytea[], $3::bytea[], $4::bigint[])",
        [
          batch.map((row) => row.partition),
          batch.map((row) => bufferOf(row.index)),
          batch.map((row) => bufferOf(row.data)),
          batch.map(() => now),
        ],
      );
      rows += batch.length;
    }
    return rows;
  } finally {
    await client.end();
  }
}

/** The rows in `target`'s token table. */
export async function countPostgresPartitions(
  target: PostgresTarget,
  excludeHint: string,
): Promise<number> {
  const client = await connectPostgres(excludeHint);
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from ${tokensTable(target.schema)}`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** How many `put`s are in flight at once: enough to fill the pipe, few enough to bound memory. */
const IN_FLIGHT = 256;

/** Puts every partition through `store.tokens.put`, `IN_FLIGHT` at a time. */
export async function fillThroughStore(
  store: EntranceStore,
  batches: PartitionBatches,
): Promise<number> {
  let rows = 0;
  for (const batch of batches) {
    for (let i = 0; i < batch.length; i += IN_FLIGHT) {
      await Promise.all(
        batch
          .slice(i, i + IN_FLIGHT)
          .map((row) => store.tokens.put(row.partition, row.data, row.index)),
      );
    }
    rows += batch.length;
  }
  return rows;
}
