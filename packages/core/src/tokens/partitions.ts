import type { EntranceStore } from "../storage/types.js";
import { PartitionCipher } from "./encryption.js";

/** The partition key of a user's tokens: MSAL's home account id, `oid.tid`. */
export function partitionOf(tenantId: string, objectId: string): string {
  return `${objectId}.${tenantId}`;
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
    await this.store.tokens.put(partition, this.#cipher.encrypt(partition, serializedCache));
  }

  /**
   * The user's serialized cache, or null when there is none or it cannot be decrypted (wrong
   * secret, corruption): the user then signs in again. One under an older secret is rewritten
   * under the newest.
   */
  async load(tenantId: string, objectId: string): Promise<string | null> {
    const partition = partitionOf(tenantId, objectId);
    const blob = await this.store.tokens.get(partition);
    if (!blob) return null;
    const opened = this.#cipher.decrypt(partition, blob);
    if (!opened) return null;
    if (opened.stale)
      await this.store.tokens.put(partition, this.#cipher.encrypt(partition, opened.plaintext));
    return opened.plaintext;
  }

  async evict(tenantId: string, objectId: string): Promise<void> {
    await this.store.tokens.delete(partitionOf(tenantId, objectId));
  }
}
