/**
 * The identity provider's signing keys as node:crypto KeyObjects, built once per JWKS answer and
 * looked up by key id. The keys come from the core's `Metadata` (its cache, its single fetch, its
 * 30 s cooldown between refetches for unknown key ids); this adds the KeyObjects, a short wait
 * limit and a backoff after a failed fetch, so an API answers 503 at once while Entra is down
 * instead of every request waiting on it.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import type { JSONWebKeySet } from "jose";
import { EntranceError } from "../errors/entrance-error.js";
import type { Metadata } from "../tokens/metadata.js";

/** How long a request waits for the keys to be fetched before it is answered 503. */
const WAIT_MS = 5000;
/** After a failed fetch, requests are answered 503 at once for this long. */
const BACKOFF_MS = 5000;
/** Keys read of one JWKS answer, at most (Entra publishes a handful). */
const MAX_KEYS = 50;
const MIN_MODULUS_BITS = 2048;

/** The signing keys by key id, for one core's bearer guards. */
export class BearerKeys {
  readonly #built = new WeakMap<JSONWebKeySet, ReadonlyMap<string, KeyObject>>();
  #failedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly metadata: Metadata,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key with this id among the keys held now; null when none has been fetched yet. */
  held(kid: string): KeyObject | undefined | null {
    const set = this.metadata.cachedKeys();
    return set ? this.#keysOf(set).get(kid) : null;
  }

  /**
   * The key with this id, fetching the keys when none are held, or once more when the id is
   * unknown (at most every 30 s, so a flood of made-up key ids cannot make us hammer Entra).
   * Undefined when the provider does not publish it; throws `signing_keys_unavailable` when the
   * keys cannot be had.
   */
  async find(kid: string): Promise<KeyObject | undefined> {
    const held = this.metadata.cachedKeys();
    if (!held && this.now() - this.#failedAt < BACKOFF_MS) throw unavailable();
    let set: JSONWebKeySet;
    try {
      set = (await this.#within(this.metadata.signingKeys(held !== undefined))).set;
    } catch (cause) {
      this.#failedAt = this.now();
      throw unavailable(cause);
    }
    return this.#keysOf(set).get(kid);
  }

  /** The fetch, or a rejection after WAIT_MS (the fetch goes on, for the requests after). */
  async #within<T>(fetching: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no signing keys within ${WAIT_MS} ms`)), WAIT_MS);
    });
    fetching.catch(() => {});
    try {
      return await Promise.race([fetching, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  #keysOf(set: JSONWebKeySet): ReadonlyMap<string, KeyObject> {
    let keys = this.#built.get(set);
    if (!keys) {
      keys = buildKeys(set);
      this.#built.set(set, keys);
    }
    return keys;
  }
}

/**
 * RSA signing keys of a JWKS by key id. A key that is not RSA, is for encryption, names another
 * algorithm, is shorter than 2048 bits or cannot be read is left out: the answer may be hostile.
 */
function buildKeys(set: JSONWebKeySet): ReadonlyMap<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const jwk of set.keys.slice(0, MAX_KEYS)) {
    if (!jwk || typeof jwk !== "object") continue;
    const { kty, kid, use, alg, n, e } = jwk;
    if (kty !== "RSA" || typeof kid !== "string" || typeof n !== "string" || typeof e !== "string")
      continue;
    if ((use !== undefined && use !== "sig") || (alg !== undefined && alg !== "RS256")) continue;
    try {
      const key = createPublicKey({ key: { kty, n, e }, format: "jwk" });
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_MODULUS_BITS) keys.set(kid, key);
    } catch {
      // Not a usable RSA key: skipped like any other key this API cannot use.
    }
  }
  return keys;
}

function unavailable(cause?: unknown): EntranceError {
  return new EntranceError(
    "signing_keys_unavailable",
    "The identity provider's signing keys could not be read; bearer tokens cannot be checked now.",
    cause === undefined ? {} : { cause },
  );
}
