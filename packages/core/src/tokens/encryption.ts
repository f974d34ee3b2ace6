import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

const VERSION = 1;
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const INFO = "entrance token partition v1";

/**
 * What a blob holds, authenticated with it so that one part of a partition cannot be passed off
 * as the other: `cache` is MSAL's cache (or, in rows written before the index had a column of its
 * own, the whole partition), `index` the access-token entries a cache hit reads.
 */
export type BlobPurpose = "cache" | "index";

interface Key {
  readonly id: Buffer;
  readonly key: Buffer;
}

/**
 * AES-256-GCM for token partitions, with one key per configured secret (HKDF-SHA-256). The newest
 * secret encrypts; every secret decrypts, so secrets can be rotated without signing anyone out.
 * The partition name is authenticated too, so a blob cannot be moved to another user.
 */
export class PartitionCipher {
  readonly #keys: readonly Key[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error("PartitionCipher needs at least one secret");
    this.#keys = secrets.map((secret) => {
      const key = Buffer.from(hkdfSync("sha256", secret, "entrance", INFO, 32));
      return { key, id: createHash("sha256").update(key).digest().subarray(0, KEY_ID_BYTES) };
    });
  }

  encrypt(
    partition: string,
    plaintext: Uint8Array | string,
    purpose: BlobPurpose = "cache",
  ): Uint8Array {
    const { id, key } = this.#keys[0] as Key;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(associatedData(id, partition, purpose));
    const body = Buffer.concat([
      typeof plaintext === "string" ? cipher.update(plaintext, "utf8") : cipher.update(plaintext),
      cipher.final(),
    ]);
    return Buffer.concat([Buffer.of(VERSION), id, iv, body, cipher.getAuthTag()]);
  }

  /**
   * The plaintext bytes, and whether it was encrypted under an older secret (so the caller re-encrypts
   * it); null when it cannot be decrypted by any configured secret, is corrupt or was tampered with.
   */
  decrypt(
    partition: string,
    blob: Uint8Array,
    purpose: BlobPurpose = "cache",
  ): { plaintext: Buffer; stale: boolean } | null {
    // A view, not a copy: a partition is several kilobytes and this is on every token hit.
    const data = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    if (data.length < 1 + KEY_ID_BYTES + IV_BYTES + TAG_BYTES || data[0] !== VERSION) return null;
    const id = data.subarray(1, 1 + KEY_ID_BYTES);
    const index = this.#keys.findIndex((k) => k.id.equals(id));
    const entry = this.#keys[index];
    if (!entry) return null;
    const iv = data.subarray(1 + KEY_ID_BYTES, 1 + KEY_ID_BYTES + IV_BYTES);
    const body = data.subarray(1 + KEY_ID_BYTES + IV_BYTES, data.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", entry.key, iv);
      decipher.setAAD(associatedData(id, partition, purpose));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plaintext = decipher.update(body);
      decipher.final(); // GCM yields nothing more here; it checks the tag
      return { plaintext, stale: index > 0 };
    } catch {
      return null;
    }
  }
}

/**
 * Authenticated with the ciphertext: the format version, the key id, the purpose and the partition
 * name. A cache's is the same as before purposes existed (so older rows still open); an index's
 * has a 0xFF byte before the name, a byte UTF-8 never contains, so no partition name can make
 * one purpose's associated data equal the other's.
 */
function associatedData(keyId: Buffer, partition: string, purpose: BlobPurpose): Buffer {
  const name = Buffer.from(partition, "utf8");
  return purpose === "cache"
    ? Buffer.concat([Buffer.of(VERSION), keyId, name])
    : Buffer.concat([Buffer.of(VERSION), keyId, Buffer.of(INDEX_MARK), name]);
}

/** Marks an index's associated data (see {@link associatedData}). */
const INDEX_MARK = 0xff;
