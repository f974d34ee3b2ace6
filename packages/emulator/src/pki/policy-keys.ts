/**
 * The signing keys of Azure AD B2C custom policies. A B2C tenant's user flows share its token
 * signing key, but a custom policy (`B2C_1A_…`) signs with the key container its JWT issuer
 * technical profile names (`B2C_1A_TokenSigningKeyContainer` in the starter pack), which only that
 * policy's metadata publishes. Here each custom policy gets a key of its own, made the first time
 * the policy signs or publishes, and kept for the life of the emulator (not in the data folder:
 * after a restart its earlier tokens name a key no longer published, as after a key rollover).
 */
import { SigningKeys } from "./signing-keys.js";

/** The keys by emulator (its context object) and then by `{tenant id}/{policy, lower case}`. */
const byOwner = new WeakMap<object, Map<string, Promise<SigningKeys>>>();

/** Whether a policy name is a custom policy's (`B2C_1A_…`, any letter case). */
export function isCustomPolicy(name: string): boolean {
  return /^b2c_1a_/i.test(name);
}

/**
 * The keys of one custom policy of one emulator, made once: concurrent first callers share the
 * same generation, so the key that signs a token is the key the policy's JWKS publishes.
 */
export function customPolicyKeys(
  owner: object,
  tenantId: string,
  policy: string,
): Promise<SigningKeys> {
  let keys = byOwner.get(owner);
  if (!keys) {
    keys = new Map();
    byOwner.set(owner, keys);
  }
  const id = `${tenantId}/${policy.toLowerCase()}`;
  let made = keys.get(id);
  if (!made) {
    made = SigningKeys.generate();
    keys.set(id, made);
    // A failed generation is not kept: the next caller tries again.
    made.catch(() => keys.delete(id));
  }
  return made;
}
