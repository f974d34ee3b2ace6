import type { EntranceStore } from "../storage/types.js";
import { accessTokenEntries, type CachedAccessToken } from "./cache-hit.js";
import { PartitionCipher } from "./encryption.js";

/** The partition key of a user's tokens: MSAL's home account id, `oid.tid`. */
export function partitionOf(tenantId: string, objectId: string): string {
  return `${objectId}.${tenantId}`;
}

/**
 * The first byte of a partition's plaintext in the indexed layout: this byte, the index's length
 * (4 bytes, big-endian), the index (JSON of the access-token entries), then MSAL's serialized
 * cache. A plaintext written before the index is MSAL's JSON alone, so it starts with `{`.
 */
const INDEXED = 0x01;
const HEADER_BYTES = 5;

/**
 * A user's MSAL cache as a partition's plaintext: its access-token entries first, on their own,
 * so that a cache hit decodes and parses those few hundred bytes and not the whole cache.
 */
export function encodePartition(serializedCache: string): Buffer {
  const index = Buffer.from(JSON.stringify(accessTokenEntries(serializedCache)), "utf8");
  const cache = Buffer.from(serializedCache, "utf8");
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = INDEXED;
  header.writeUInt32BE(index.length, 1);
  return Buffer.concat([header, index, cache]);
}

/** Where the index and the cache lie in a plaintext; the whole is the cache when not indexed. */
function layoutOf(plaintext: Buffer): { indexEnd: number } | null {
  if (plaintext[0] !== INDEXED) return null;
  if (plaintext.length < HEADER_BYTES) return { indexEnd: -1 };
  const indexEnd = HEADER_BYTES + plaintext.readUInt32BE(1);
  return { indexEnd: indexEnd <= plaintext.length ? indexEnd : -1 };
}

/** MSAL's serialized cache in a partition's plaintext; null when the layout is broken. */
export function cacheOf(plaintext: Buffer): string | null {
  const layout = layoutOf(plaintext);
  if (!layout) return plaintext.toString("utf8");
  return layout.indexEnd < 0 ? null : plaintext.toString("utf8", layout.indexEnd);
}

/** The access-token entries of a partition's plaintext; none when unreadable. */
export function accessTokensOf(plaintext: Buffer): CachedAccessToken[] {
  const layout = layoutOf(plaintext);
  if (!layout) return accessTokenEntries(plaintext.toString("utf8"));
  if (layout.indexEnd < 0) return [];
  try {
    const index: unknown = JSON.parse(plaintext.toString("utf8", HEADER_BYTES, layout.indexEnd));
    return Array.isArray(index) ? (index as CachedAccessToken[]) : [];
  } catch {
    return [];
  }
}

/** Each user's MSAL cache, encrypted at rest in the store. */
export class TokenPartitions {
  readonly #cipher: PartitionCipher;

  constructor(
    private readonly store: EntranceStore,
    secrets: readonly string[],
  ) {
    this.#cipher = new PartitionCipher(secrets);
  }

  async save(tenantId: string, objectId: string, serializedCache: string): Promise<void> {
    const partition = partitionOf(tenantId, objectId);
    await this.store.tokens.put(
      partition,
      this.#cipher.encrypt(partition, encodePartition(serializedCache)),
    );
  }

  /**
   * The user's serialized cache, or null when there is none or it cannot be decrypted (wrong
   * secret, corruption): the user then signs in again. One under an older secret is rewritten
   * under the newest.
   */
  async load(tenantId: string, objectId: string): Promise<string | null> {
    const plaintext = await this.#open(tenantId, objectId);
    return plaintext && cacheOf(plaintext);
  }

  /**
   * The user's cached access-token entries (what a cache hit reads), or null like `load`; only
   * the index is decoded and parsed.
   */
  async accessTokens(tenantId: string, objectId: string): Promise<CachedAccessToken[] | null> {
    const plaintext = await this.#open(tenantId, objectId);
    return plaintext && accessTokensOf(plaintext);
  }

  async evict(tenantId: string, objectId: string): Promise<void> {
    await this.store.tokens.delete(partitionOf(tenantId, objectId));
  }

  async #open(tenantId: string, objectId: string): Promise<Buffer | null> {
    const partition = partitionOf(tenantId, objectId);
    const blob = await this.store.tokens.get(partition);
    if (!blob) return null;
    const opened = this.#cipher.decrypt(partition, blob);
    if (!opened) return null;
    if (opened.stale)
      await this.store.tokens.put(partition, this.#cipher.encrypt(partition, opened.plaintext));
    return opened.plaintext;
  }
}
