/**
 * Fills an Entrance SQLite store with many users' token partitions in seconds, bypassing the
 * store API (one transaction per batch instead of one commit per row). The rows are what
 * Entrance itself writes: each user's MSAL cache and its access-token index, the two parts of a
 * partition, encrypted by Entrance's own sealPartition under the partition name `oid.tid`.
 */
import Database from "better-sqlite3";
// Not exported by @entrance/core: the bench uses the built module so that its blobs are exactly
// what Entrance writes and reads (same format, key derivation and associated data).
import { PartitionCipher } from "../../packages/core/dist/tokens/encryption.js";
import { cacheOf, sealPartition } from "../../packages/core/dist/tokens/partitions.js";

const TOKENS = "entrance_token_partitions";
const USERS = "entrance_users";
const BATCH = 5_000;

export interface FillOptions {
  /** The SQLite file, already migrated by `openSqlStore`. */
  readonly filename: string;
  /** Entrance's secrets (`ENTRANCE_SECRET`), the first one encrypts. */
  readonly secrets: readonly string[];
  readonly tenantId: string;
  /** Object ids of the users to add. */
  readonly objectIds: readonly string[];
  /** The serialized MSAL cache of a user, by object id (see `accountCopier`). */
  readonly cacheFor: (objectId: string) => string;
  /** Rows copied as they are (the real user's partition, encrypted by Entrance at sign-in). */
  readonly copyPartitions?: ReadonlyMap<string, { data: Uint8Array; index: Uint8Array | null }>;
}

export interface Filled {
  readonly partitions: number;
  readonly users: number;
  /** Mean size of the encrypted parts written (data and index together), in bytes. */
  readonly meanBlobBytes: number;
  readonly seconds: number;
}

/** Adds one token partition and one user row per object id, then checkpoints the WAL. */
export function fillTokenStore(options: FillOptions): Filled {
  const started = performance.now();
  const cipher = new PartitionCipher(options.secrets);
  const db = new Database(options.filename);
  try {
    db.pragma("journal_mode = WAL");
    // Speed for a throw-away file; the measuring connection uses the store's own settings.
    db.pragma("synchronous = OFF");
    const now = Date.now();
    const putToken = db.prepare(
      `insert into ${TOKENS} (partition, access_index, data, updated_at) values (?, ?, ?, ?)`,
    );
    const putUser = db.prepare(
      `insert into ${USERS} (tenant_id, object_id, display_name, username, mail, roles, groups, ` +
        "groups_overage, first_sign_in_at, last_sign_in_at, disabled) " +
        "values (?, ?, ?, ?, ?, '[]', '[]', 0, ?, ?, 0)",
    );
    let blobBytes = 0;
    const insert = db.transaction((ids: readonly string[], offset: number) => {
      ids.forEach((objectId, i) => {
        const partition = `${objectId}.${options.tenantId}`;
        const { data, index } = sealPartition(cipher, partition, options.cacheFor(objectId));
        blobBytes += data.byteLength + index.byteLength;
        putToken.run(partition, index, data, now);
        const n = offset + i + 1;
        const username = `bench.user${n}@contoso.onmicrosoft.com`;
        putUser.run(options.tenantId, objectId, `Bench User ${n}`, username, username, now, now);
      });
    });
    db.transaction(() => {
      for (const [partition, { data, index }] of options.copyPartitions ?? []) {
        putToken.run(partition, index, data, now);
      }
    })();
    for (let offset = 0; offset < options.objectIds.length; offset += BATCH) {
      insert(options.objectIds.slice(offset, offset + BATCH), offset);
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
    const count = options.objectIds.length;
    return {
      partitions: count + (options.copyPartitions?.size ?? 0),
      users: count,
      meanBlobBytes: count ? Math.round(blobBytes / count) : 0,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    db.close();
  }
}

/**
 * The encrypted partitions of synthetic users, `batch` at a time, as `fillTokenStore` writes
 * them: for filling another store (PostgreSQL, Redis) with the very same bytes.
 */
export function* encryptedPartitions(
  options: Pick<FillOptions, "secrets" | "tenantId" | "objectIds" | "cacheFor">,
  batch: number,
): Generator<{ partition: string; data: Uint8Array; index: Uint8Array }[]> {
  const cipher = new PartitionCipher(options.secrets);
  for (let offset = 0; offset < options.objectIds.length; offset += batch) {
    yield options.objectIds.slice(offset, offset + batch).map((objectId) => {
      const partition = `${objectId}.${options.tenantId}`;
      return { partition, ...sealPartition(cipher, partition, options.cacheFor(objectId)) };
    });
  }
}

/** Rows in the token table and the SQLite version, read back to report what was measured. */
export function describeStore(filename: string): { partitions: number; sqlite: string } {
  const db = new Database(filename, { readonly: true });
  try {
    const { partitions } = db.prepare(`select count(*) as partitions from ${TOKENS}`).get() as {
      partitions: number;
    };
    const { version } = db.prepare("select sqlite_version() as version").get() as {
      version: string;
    };
    return { partitions, sqlite: version };
  } finally {
    db.close();
  }
}

/** The serialized MSAL cache in one partition blob, decrypted as Entrance does it. */
export function openPartition(
  secrets: readonly string[],
  partition: string,
  blob: Uint8Array,
): string {
  const opened = new PartitionCipher(secrets).decrypt(partition, blob);
  if (!opened) throw new Error(`the partition ${partition} does not decrypt with the bench secret`);
  const cache = cacheOf(opened.plaintext);
  if (cache === null) throw new Error(`the partition ${partition} has a broken layout`);
  return cache;
}
