/**
 * A token partition's two parts: the access-token index a cache hit reads alone, and MSAL's whole
 * cache. A hit must read no more than the index; a write, a refresh and a secret rotation must
 * keep both in step and encrypted; neither part can stand in for the other or for another user's.
 */
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EntranceStore, UserKey } from "../src/index.js";
import { accessTokenEntries } from "../src/tokens/cache-hit.js";
import { PartitionCipher } from "../src/tokens/encryption.js";
import { cacheOf } from "../src/tokens/partitions.js";
import { entranceFor, SECRET, signedInAs } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => {
  emulator.control.setLifetimes({ accessToken: 3600 });
  emulator.control.clearFaults();
});

const LEE: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.member };
const LEE_PARTITION = `${LEE.objectId}.${LEE.tenantId}`;
const OLD_SECRET = "old-secret-old-secret-old-secret-0000";
const NEW_SECRET = "new-secret-new-secret-new-secret-1111";

type Method = "get" | "getIndex" | "put" | "delete";

/** The store, its token methods counted; `failPuts` makes every put fail as a store would. */
function counting(store: EntranceStore, options: { failPuts?: boolean } = {}) {
  const calls: Record<Method, number> = { get: 0, getIndex: 0, put: 0, delete: 0 };
  const tokens = store.tokens;
  const counted: EntranceStore = {
    ...store,
    tokens: {
      get: (p) => {
        calls.get++;
        return tokens.get(p);
      },
      getIndex: (p) => {
        calls.getIndex++;
        return tokens.getIndex(p);
      },
      put: async (p, d, i) => {
        calls.put++;
        if (options.failPuts) throw new Error("the store is read-only (a test's failure)");
        await tokens.put(p, d, i);
      },
      delete: (p) => {
        calls.delete++;
        return tokens.delete(p);
      },
    },
  };
  const reset = () => {
    for (const key of Object.keys(calls) as Method[]) calls[key] = 0;
  };
  return { store: counted, calls, reset };
}

/** Both parts of Lee's partition, decrypted with `secrets`; null for a part that does not open. */
async function openedParts(store: EntranceStore, secrets: readonly string[]) {
  const cipher = new PartitionCipher(secrets);
  const data = await store.tokens.get(LEE_PARTITION);
  const index = await store.tokens.getIndex(LEE_PARTITION);
  const cache = data && cipher.decrypt(LEE_PARTITION, data, "cache");
  const entries = index && cipher.decrypt(LEE_PARTITION, index, "index");
  return {
    data,
    index,
    cache: cache ? cacheOf(cache.plaintext) : null,
    entries: entries ? JSON.parse(entries.plaintext.toString("utf8")) : null,
  };
}

/** The access-token entries of a cache as an index holds them (JSON: no undefined fields). */
const entriesOf = (cache: string | null) =>
  JSON.parse(JSON.stringify(accessTokenEntries(cache ?? "")));

describe("a token partition's index", () => {
  it("is all a cache hit reads: no whole-partition read, no write, no call to Entra", async () => {
    const signedIn = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const { store, calls, reset } = counting(signedIn.store);
    const entrance = entranceFor(emulator, store);
    const first = await entrance.getAccessToken(LEE, ["User.Read"]);
    reset();
    emulator.control.resetCounts();
    for (let i = 0; i < 5; i++) {
      expect((await entrance.getAccessToken(LEE, "User.Read")).token).toBe(first.token);
    }
    expect(calls).toStrictEqual({ get: 0, getIndex: 5, put: 0, delete: 0 });
    expect(emulator.control.counts().token).toBeUndefined();
  });

  it("holds the same access tokens as the cache, after the sign-in and after a refresh", async () => {
    const { entrance, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const signedIn = await openedParts(store, [SECRET]);
    expect(signedIn.entries).toStrictEqual(entriesOf(signedIn.cache));
    expect(signedIn.entries).toHaveLength(1);

    const refreshed = await entrance.getAccessToken(LEE, ["User.Read"], { forceRefresh: true });
    const after = await openedParts(store, [SECRET]);
    expect(after.entries).toStrictEqual(entriesOf(after.cache));
    expect(after.entries.map((entry: { secret: string }) => entry.secret)).toContain(
      refreshed.token,
    );
    expect(after.entries.map((entry: { secret: string }) => entry.secret)).not.toContain(
      (signedIn.entries[0] as { secret: string }).secret,
    );
  });

  it("stays in step with the cache when a write fails: the earlier pair is kept and still answers", async () => {
    // Tokens this short are due for renewal at once, so the next call refreshes and writes.
    emulator.control.setLifetimes({ accessToken: 60 });
    const signedIn = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const before = await openedParts(signedIn.store, [SECRET]);
    const failing = counting(signedIn.store, { failPuts: true });
    await expect(
      entranceFor(emulator, failing.store).getAccessToken(LEE, ["User.Read"]),
    ).rejects.toThrow();
    expect(failing.calls.put).toBeGreaterThan(0);

    const after = await openedParts(signedIn.store, [SECRET]);
    expect(Buffer.from(after.data ?? [])).toStrictEqual(Buffer.from(before.data ?? []));
    expect(Buffer.from(after.index ?? [])).toStrictEqual(Buffer.from(before.index ?? []));
    expect(after.entries).toStrictEqual(entriesOf(after.cache));
    emulator.control.setLifetimes({ accessToken: 3600 });
    const token = await entranceFor(emulator, signedIn.store).getAccessToken(LEE, ["User.Read"]);
    const written = await openedParts(signedIn.store, [SECRET]);
    expect(written.entries).toStrictEqual(entriesOf(written.cache));
    expect(written.entries.map((entry: { secret: string }) => entry.secret)).toContain(token.token);
  });

  it("is re-encrypted with the cache under the newest secret on a rotation, and then read alone", async () => {
    const signedIn = await signedInAs(emulator, "lee@contoso.onmicrosoft.com", {
      secrets: [OLD_SECRET],
    });
    const underOld = await openedParts(signedIn.store, [OLD_SECRET]);
    expect(underOld.entries).not.toBeNull();
    const rotated = counting(signedIn.store);
    const entrance = entranceFor(emulator, rotated.store, { secrets: [NEW_SECRET, OLD_SECRET] });
    const token = await entrance.getAccessToken(LEE, ["User.Read"]);
    expect(rotated.calls.put).toBe(1);

    const underNew = await openedParts(signedIn.store, [NEW_SECRET]);
    expect(underNew.cache).toBe(underOld.cache);
    expect(underNew.entries).toStrictEqual(underOld.entries);
    const oldOnly = await openedParts(signedIn.store, [OLD_SECRET]);
    expect(oldOnly.cache).toBeNull();
    expect(oldOnly.entries).toBeNull();

    rotated.reset();
    expect((await entrance.getAccessToken(LEE, ["User.Read"])).token).toBe(token.token);
    expect(rotated.calls).toStrictEqual({ get: 0, getIndex: 1, put: 0, delete: 0 });
  });

  it("is not trusted when tampered with: the hit reads the cache instead, which answers", async () => {
    const signedIn = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const first = await signedIn.entrance.getAccessToken(LEE, ["User.Read"]);
    const data = (await signedIn.store.tokens.get(LEE_PARTITION)) ?? new Uint8Array();
    const index = Buffer.from((await signedIn.store.tokens.getIndex(LEE_PARTITION)) ?? []);
    index[index.length - 1] = (index[index.length - 1] ?? 0) ^ 0xff;
    await signedIn.store.tokens.put(LEE_PARTITION, data, index);
    const { store, calls } = counting(signedIn.store);
    emulator.control.resetCounts();
    expect((await entranceFor(emulator, store).getAccessToken(LEE, ["User.Read"])).token).toBe(
      first.token,
    );
    expect(calls).toStrictEqual({ get: 1, getIndex: 1, put: 0, delete: 0 });
    expect(emulator.control.counts().token).toBeUndefined();
  });

  it("cannot stand in for the cache, nor the cache for it, nor either for another partition", async () => {
    const { entrance, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const cipher = new PartitionCipher([SECRET]);
    const data = (await store.tokens.get(LEE_PARTITION)) ?? new Uint8Array();
    const index = (await store.tokens.getIndex(LEE_PARTITION)) ?? new Uint8Array();
    expect(cipher.decrypt(LEE_PARTITION, index, "index")).not.toBeNull();
    expect(cipher.decrypt(LEE_PARTITION, index, "cache")).toBeNull();
    expect(cipher.decrypt(LEE_PARTITION, data, "index")).toBeNull();
    expect(cipher.decrypt(`obo:${LEE_PARTITION}`, index, "index")).toBeNull();
    expect(cipher.decrypt(`${defaults.users.admin}.${defaults.contoso}`, index, "index")).toBe(
      null,
    );

    // Swapped in the store: neither part opens, so Lee has to sign in again.
    await store.tokens.put(LEE_PARTITION, index, data);
    await expect(entrance.getAccessToken(LEE, ["User.Read"])).rejects.toMatchObject({
      code: "reauthentication_required",
    });
  });
});
