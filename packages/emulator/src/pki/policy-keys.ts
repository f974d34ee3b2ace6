/**
 * The signing keys of Azure AD B2C custom policies. A B2C tenant's user flows share its token
 * signing key, but a custom policy (`B2C_1A_…`) signs with the key container its JWT issuer
 * technical profile names (`B2C_1A_TokenSigningKeyContainer` in the starter pack), which only that
 * policy's metadata publishes. Here each custom policy gets a key of its own, made the first time
 * the policy signs or publishes. Its keys live as the tenant's do: kept in the data folder (a
 * restart keeps its tokens verifiable) and rotated with them (`rotateSigningKeys`).
 */
import { SigningKeys, type StoredSigningKey } from "./signing-keys.js";

/** How the custom policies' keys are kept in the data folder: by `{tenant id}/{policy}`. */
export type StoredPolicyKeys = Record<string, StoredSigningKey[]>;

/** Whether a policy name is a custom policy's (`B2C_1A_…`, any letter case). */
export function isCustomPolicy(name: string): boolean {
  return /^b2c_1a_/i.test(name);
}

/** The keys of every custom policy of one emulator, saved with `save` whenever they change. */
export class PolicyKeys {
  /** Each policy's keys, once made (or loaded), by `{tenant id}/{policy, lower case}`. */
  readonly #ready = new Map<string, SigningKeys>();
  /** Generations under way: concurrent first callers share one. */
  readonly #making = new Map<string, Promise<SigningKeys>>();
  readonly #save: (stored: StoredPolicyKeys) => Promise<void>;
  /** The last write: writes follow one another, each of the keys as they are when it starts. */
  #saving: Promise<void> = Promise.resolve();

  constructor(stored: StoredPolicyKeys, save: (stored: StoredPolicyKeys) => Promise<void>) {
    for (const [id, keys] of Object.entries(stored)) {
      if (Array.isArray(keys) && keys.length > 0) this.#ready.set(id, SigningKeys.fromStored(keys));
    }
    this.#save = save;
  }

  /**
   * The keys of one custom policy, made and saved the first time it is asked for, so that the
   * key that signs a token is the key the policy's JWKS publishes, now and after a restart.
   */
  of(tenantId: string, policy: string): Promise<SigningKeys> {
    const id = `${tenantId.toLowerCase()}/${policy.toLowerCase()}`;
    // A key being made is handed out once it is saved, not before: its write may still fail.
    const making = this.#making.get(id);
    if (making) return making;
    const ready = this.#ready.get(id);
    if (ready) return Promise.resolve(ready);
    const made = this.#make(id);
    this.#making.set(id, made);
    // Kept once made; a failed generation or write is not, and the next caller tries again.
    const done = () => this.#making.delete(id);
    made.then(done, done);
    return made;
  }

  async #make(id: string): Promise<SigningKeys> {
    const keys = await SigningKeys.generate();
    this.#ready.set(id, keys);
    try {
      await this.#persist();
    } catch (error) {
      this.#ready.delete(id);
      throw error;
    }
    return keys;
  }

  /**
   * Puts a new key in front of every custom policy's keys, as the tenant's rotation does (the
   * earlier keys stay published, up to the same count, unless `retire`), and saves them.
   */
  async rotate(options: { retire?: boolean } = {}): Promise<void> {
    // A key being made now is made before the rotation, so that it is rotated too.
    await Promise.allSettled(this.#making.values());
    for (const keys of this.#ready.values()) await keys.rotate(options);
    if (this.#ready.size > 0) await this.#persist();
  }

  #persist(): Promise<void> {
    const write = () =>
      this.#save(Object.fromEntries([...this.#ready].map(([id, keys]) => [id, keys.toStored()])));
    this.#saving = this.#saving.then(write, write);
    return this.#saving;
  }
}
