/**
 * Synthetic accounts for MSAL Node's serialized token cache: copies of one real account's cache
 * (account, ID token, access token, refresh token) under another object id, so that a cache or a
 * store can be filled with thousands of users without signing each one in.
 */

/** The sections of MSAL's serialized cache, each a map of cache keys to entries. */
type SerializedCache = Record<string, Record<string, unknown>>;

interface Entry {
  readonly home_account_id?: unknown;
  readonly client_info?: unknown;
  readonly secret?: unknown;
}

/**
 * Makes copies of `serialized`, the cache of one signed-in account whose object id is `objectId`,
 * for other object ids. Every trace of the object id is rewritten: the cache keys and
 * `home_account_id`/`local_account_id` fields, the tenant profiles, the base64url `client_info`,
 * and the payloads of the ID and access tokens (their signatures no longer match, which MSAL does
 * not check). An object id of the same length (a GUID) gives a copy of exactly the same size.
 */
export function accountCopier(serialized: string, objectId: string): (objectId: string) => string {
  const cache = JSON.parse(serialized) as SerializedCache;
  const accounts = Object.values(cache.Account ?? {});
  if (accounts.length !== 1) {
    throw new Error(`the real cache holds ${accounts.length} accounts, not 1`);
  }
  if (!serialized.includes(objectId)) {
    throw new Error(`the real cache does not mention the object id ${objectId}`);
  }
  // base64url pieces that carry the object id, with their decoded text.
  const encoded: { readonly text: string; readonly decoded: string }[] = [];
  const add = (text: unknown) => {
    if (typeof text !== "string" || text === "") return;
    const decoded = Buffer.from(text, "base64url").toString("utf8");
    if (decoded.includes(objectId)) encoded.push({ text, decoded });
  };
  for (const section of Object.values(cache)) {
    for (const entry of Object.values(section) as Entry[]) {
      add(entry.client_info);
      // A JWT (ID token, access token): its payload is the second part.
      if (typeof entry.secret === "string" && entry.secret.split(".").length === 3) {
        add(entry.secret.split(".")[1]);
      }
    }
  }
  if (encoded.length < 3) {
    throw new Error(
      `expected client_info, an ID token and an access token carrying the object id in the real cache, found ${encoded.length}`,
    );
  }
  return (other) => {
    let copy = serialized;
    for (const { text, decoded } of encoded) {
      copy = copy.replace(
        text,
        Buffer.from(decoded.replaceAll(objectId, other)).toString("base64url"),
      );
    }
    return copy.replaceAll(objectId, other);
  };
}

/** One cache holding every account of `caches` (serialized caches with disjoint keys). */
export function mergeSerializedCaches(caches: Iterable<string>): string {
  const merged: SerializedCache = {};
  for (const serialized of caches) {
    for (const [name, section] of Object.entries(JSON.parse(serialized) as SerializedCache)) {
      const target = merged[name] ?? {};
      merged[name] = target;
      for (const [key, entry] of Object.entries(section)) target[key] = entry;
    }
  }
  return JSON.stringify(merged);
}

/**
 * `count` GUID-shaped object ids from a seeded generator: the same ones on every run, spread
 * over the key space like Entra's random ones, and never equal to `except`.
 */
export function syntheticObjectIds(count: number, seed: number, except: string): string[] {
  const random = mulberry32(seed);
  const hex = (digits: number) => {
    let text = "";
    for (let i = 0; i < digits; i++) text += Math.floor(random() * 16).toString(16);
    return text;
  };
  const ids = new Set<string>();
  while (ids.size < count) {
    const id = `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
    if (id !== except) ids.add(id);
  }
  return [...ids];
}

/** A small seeded PRNG (mulberry32): reproducible picks without a dependency. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
