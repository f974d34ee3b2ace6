import type { EntranceStore } from "../storage/types.js";
import { accessTokenEntries, type CachedAccessToken } from "./cache-hit.js";
import { PartitionCipher } from "./encryption.js";

/** The partition key of a user's tokens: MSAL's home account id, `oid.tid`. */
export function partitionOf(tenantId: string, objectId: string): string {
  return `${objectId}.${tenantId}`;
}

/**
 * The store key of a user's on-behalf-of tokens (tokens/on-behalf-of.ts): apart from the
 * partition of their sign-in, so neither flow reads or rewrites the other's cache.
 */
export function oboPartitionOf(tenantId: string, objectId: string): string {
  return `obo:${objectId}.${tenantId}`;
}

/**
 * The first byte of a whole-partition plaintext in the layout written before the index had a part
 * of its own: this byte, the index's length (4 bytes, big-endian), the index (JSON of the
 * access-token entries), then MSAL's serialized cache. Still read, so that an upgrade signs no
 * one out; a plaintext older still is MSAL's JSON alone, so it starts with `{`.
 */
const INDEXED = 0x01;
const HEADER_BYTES = 5;

/** A partition's two encrypted parts, as `TokenStore.put` takes them. */
export interface SealedPartition {
  /** MSAL's serialized cache (refresh token, ID token, accounts, access tokens). */
  readonly data: Uint8Array;
  /**
   * The access-token entries alone (each token with the fields a hit reads, about 1.6 KB for one
   * token): all a cache hit reads and decrypts, never the refresh token, ID token or accounts.
   */
  readonly index: Uint8Array;
}

/**
 * A user's MSAL cache encrypted as its partition's two parts, each bound to the partition and to
 * its purpose by its associated data (so neither can be moved to another user or swapped for the
 * other); the store writes both in one atomic put.
 */
export function sealPartition(
  cipher: PartitionCipher,
  partition: string,
  serializedCache: string,
): SealedPartition {
  const index = JSON.stringify(accessTokenEntries(serializedCache));
  return {
    data: cipher.encrypt(partition, serializedCache, "cache"),
    index: cipher.encrypt(partition, index, "index"),
  };
}

/** Where the index and the cache lie in an older whole-partition plaintext; null if not indexed. */
function layoutOf(plaintext: Buffer): { indexEnd: number } | null {
  if (plaintext[0] !== INDEXED) return null;
  if (plaintext.length < HEADER_BYTES) return { indexEnd: -1 };
  const indexEnd = HEADER_BYTES + plaintext.readUInt32BE(1);
  return { indexEnd: indexEnd <= plaintext.length ? indexEnd : -1 };
}

/**
 * MSAL's serialized cache in a partition's data (either older layout too); null when the layout
 * is broken.
 */
export function cacheOf(plaintext: Buffer): string | null {
  const layout = layoutOf(plaintext);
  if (!layout) return plaintext.toString("utf8");
  return layout.indexEnd < 0 ? null : plaintext.toString("utf8", layout.indexEnd);
}

/** The access-token entries of a partition's data (either older layout too); none when unreadable. */
export function accessTokensOf(plaintext: Buffer): CachedAccessToken[] {
  const layout = layoutOf(plaintext);
  if (!layout) return accessTokenEntries(plaintext.toString("utf8"));
  if (layout.indexEnd < 0) return [];
  return parseIndex(plaintext.toString("utf8", HEADER_BYTES, layout.indexEnd));
}

/** The entries of an index's JSON; none when unreadable (MSAL is then asked). */
function parseIndex(json: string): CachedAccessToken[] {
  try {
    const index: unknown = JSON.parse(json);
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
    await this.#write(partitionOf(tenantId, objectId), serializedCache);
  }

  /**
   * The user's serialized cache, or null when there is none or it cannot be decrypted (wrong
   * secret, corruption): the user then signs in again. One under an older secret is rewritten
   * under the newest (both parts).
   */
  async load(tenantId: string, objectId: string): Promise<string | null> {
    const plaintext = await this.#open(partitionOf(tenantId, objectId));
    return plaintext && cacheOf(plaintext);
  }

  /**
   * The user's cached access-token entries (what a cache hit reads), or null like `load`. Reads
   * and decrypts the index alone; the whole partition only when there is no index (a row written
   * before indexes), or it is under an older secret (then both parts are rewritten) or unreadable.
   */
  async accessTokens(tenantId: string, objectId: string): Promise<CachedAccessToken[] | null> {
    const partition = partitionOf(tenantId, objectId);
    const index = await this.store.tokens.getIndex(partition);
    if (index) {
      const opened = this.#cipher.decrypt(partition, index, "index");
      if (opened && !opened.stale) return parseIndex(opened.plaintext.toString("utf8"));
    }
    const plaintext = await this.#open(partition);
    return plaintext && accessTokensOf(plaintext);
  }

  /** Deletes every token kept for the user: their sign-in's and those got on their behalf. */
  async evict(tenantId: string, objectId: string): Promise<void> {
    await this.store.tokens.delete(partitionOf(tenantId, objectId));
    await this.store.tokens.delete(oboPartitionOf(tenantId, objectId));
  }

  async #write(partition: string, serializedCache: string): Promise<void> {
    const { data, index } = sealPartition(this.#cipher, partition, serializedCache);
    await this.store.tokens.put(partition, data, index);
  }

  /** The partition's data decrypted; one under an older secret is rewritten, index and all. */
  async #open(partition: string): Promise<Buffer | null> {
    const blob = await this.store.tokens.get(partition);
    if (!blob) return null;
    const opened = this.#cipher.decrypt(partition, blob, "cache");
    if (!opened) return null;
    if (opened.stale) {
      const cache = cacheOf(opened.plaintext);
      if (cache !== null) await this.#write(partition, cache);
    }
    return opened.plaintext;
  }
}
