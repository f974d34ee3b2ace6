import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { claimsChallenge, pickAccount, throttled } from "@entrance/emulator/testing";
import { AuthenticationHandlerOptions } from "@microsoft/microsoft-graph-client";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EntranceError, UserKey } from "../src/index.js";
import { PartitionCipher } from "../src/tokens/encryption.js";
import { cacheOf } from "../src/tokens/partitions.js";
import { browse, entranceFor, fresh, SECRET, signedInAs, startSignIn } from "./support/emulated.js";

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
const partition = (user: UserKey) => `${user.objectId}.${user.tenantId}`;
const refreshes = () => emulator.control.counts()["token:refresh_token"] ?? 0;

function graphFor(overrides = {}) {
  return { graphBaseUrl: emulator.urls.https, ...overrides };
}

describe("getAccessToken", () => {
  it("answers a valid cached token without calling Entra, for scopes as a list or a string", async () => {
    const { entrance } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    emulator.control.resetCounts();
    const first = await entrance.getAccessToken(LEE, ["User.Read"]);
    const second = await entrance.getAccessToken(LEE, "User.Read");
    expect(second.token).toBe(first.token);
    expect(emulator.control.counts().token).toBeUndefined();
    expect(decodeJwt(first.token)).toMatchObject({
      oid: LEE.objectId,
      scp: expect.stringContaining("User.Read"),
    });
  });

  it("refreshes an expired token once for 50 parallel requests, and keeps the newest refresh token", async () => {
    // MSAL treats a token expiring within 5 minutes as expired: 60 s tokens are refreshed at once.
    emulator.control.setLifetimes({ accessToken: 60 });
    const { entrance, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const before = await store.tokens.get(partition(LEE));
    emulator.control.resetCounts();
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => entrance.getAccessToken(LEE, ["User.Read"])),
    );
    expect(refreshes()).toBe(1);
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(
      Buffer.from((await store.tokens.get(partition(LEE))) ?? new Uint8Array()).equals(
        Buffer.from(before ?? []),
      ),
    ).toBe(false);
  });

  it("refreshes once across two app instances that share the store's locks", async () => {
    emulator.control.setLifetimes({ accessToken: 60 });
    const { store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    // The signed-in token is due for renewal; the refreshed one is not.
    emulator.control.setLifetimes({ accessToken: 3600 });
    const instances = [entranceFor(emulator, store), entranceFor(emulator, store)];
    emulator.control.resetCounts();
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => instances[i % 2]?.getAccessToken(LEE, ["User.Read"])),
    );
    expect(refreshes()).toBe(1);
    expect(new Set(tokens.map((t) => t?.token)).size).toBe(1);
  });

  it("signs the user out of tokens when the refresh token was revoked: reauthentication_required, partition evicted", async () => {
    emulator.control.setLifetimes({ accessToken: 60 });
    const { entrance, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    emulator.control.revokeRefreshTokens("lee@contoso.onmicrosoft.com");
    const error = (await entrance
      .getAccessToken(LEE, ["User.Read"])
      .catch((e: unknown) => e)) as EntranceError;
    expect(error).toMatchObject({ code: "reauthentication_required", aadsts: 50173 });
    expect(await store.tokens.get(partition(LEE))).toBeNull();
  });

  it.each([
    ["a 500 with server_error", { kind: "status", status: 500 }, 1],
    [
      "a 503 with temporarily_unavailable",
      { kind: "error", error: "temporarily_unavailable", aadsts: 90033, status: 503 },
      1,
    ],
    // Twice: a dropped keep-alive socket is tried once more on a new one (http/network.ts).
    ["a dropped connection", { kind: "drop" }, 2],
    ["a body that is not JSON", { kind: "malformed" }, 1],
  ] as const)(
    "says identity_provider_unavailable when a refresh meets %s, as the callback does, and keeps the tokens",
    async (_, fault, times) => {
      emulator.control.setLifetimes({ accessToken: 60 });
      const { entrance, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
      const before = Buffer.from((await store.tokens.get(partition(LEE))) ?? []);
      emulator.control.resetCounts();
      emulator.control.queueFault("token", fault, times);
      const error = (await entrance
        .getAccessToken(LEE, ["User.Read"])
        .catch((e: unknown) => e)) as EntranceError;
      expect(emulator.control.counts().token).toBeGreaterThanOrEqual(1);
      expect(error).toMatchObject({ code: "identity_provider_unavailable" });
      emulator.control.clearFaults();
      // Entra failing is no reason to sign the user out: the refresh token stays for the next try.
      expect(Buffer.from((await store.tokens.get(partition(LEE))) ?? []).equals(before)).toBe(true);
      expect((await entrance.getAccessToken(LEE, ["User.Read"])).token).toBeTruthy();
    },
  );

  it("treats a corrupted partition as absent, never as a crash", async () => {
    const { entrance, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const blob = Buffer.from((await store.tokens.get(partition(LEE))) ?? new Uint8Array());
    blob[blob.length - 1] = (blob[blob.length - 1] ?? 0) ^ 0xff;
    await store.tokens.put(partition(LEE), blob);
    await expect(entrance.getAccessToken(LEE, ["User.Read"])).rejects.toMatchObject({
      code: "reauthentication_required",
    });
  });

  it.each([
    ["MSAL's JSON alone", (cache: string) => Buffer.from(cache, "utf8")],
    [
      "one blob, the index first",
      (cache: string) => {
        const index = Buffer.from("[]", "utf8");
        const header = Buffer.from([0x01, 0, 0, 0, index.length]);
        return Buffer.concat([header, index, Buffer.from(cache, "utf8")]);
      },
    ],
  ])(
    "reads a partition of an older layout (%s): hit without Entra, refresh through MSAL, written back with its index",
    async (_, layout) => {
      const { entrance, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
      const cipher = new PartitionCipher([SECRET]);
      const opened = cipher.decrypt(
        partition(LEE),
        (await store.tokens.get(partition(LEE))) ?? new Uint8Array(),
      );
      const cache = opened && cacheOf(opened.plaintext);
      expect(cache).toMatch(/^\{/);
      // The earlier layout, encrypted as it was, with no index part (as an upgraded row has).
      await store.tokens.put(partition(LEE), cipher.encrypt(partition(LEE), layout(cache ?? "")));
      expect(await store.tokens.getIndex(partition(LEE))).toBeNull();
      emulator.control.resetCounts();
      const hit = await entrance.getAccessToken(LEE, ["User.Read"]);
      expect(emulator.control.counts().token).toBeUndefined();
      expect(decodeJwt(hit.token)).toMatchObject({ oid: LEE.objectId });
      const refreshed = await entrance.getAccessToken(LEE, ["User.Read"], { forceRefresh: true });
      expect(refreshed.token).not.toBe(hit.token);
      expect(refreshes()).toBe(1);
      // Written back as two parts: MSAL's JSON, and the index that answers the next hit.
      const rewritten = cipher.decrypt(
        partition(LEE),
        (await store.tokens.get(partition(LEE))) ?? new Uint8Array(),
      );
      expect(rewritten?.plaintext.toString("utf8")).toMatch(/^\{/);
      const index = await store.tokens.getIndex(partition(LEE));
      expect(index && cipher.decrypt(partition(LEE), index, "index")).toBeTruthy();
      emulator.control.resetCounts();
      expect((await entrance.getAccessToken(LEE, "User.Read")).token).toBe(refreshed.token);
      expect(emulator.control.counts().token).toBeUndefined();
    },
  );

  it("treats a partition whose index is cut short or not JSON as unreadable, never as a crash", async () => {
    const { entrance, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const cipher = new PartitionCipher([SECRET]);
    // Index length beyond the plaintext: no index and no cache can be found in it.
    const cutShort = Buffer.from([0x01, 0x7f, 0xff, 0xff, 0xff, 0x5b, 0x5d]);
    await store.tokens.put(partition(LEE), cipher.encrypt(partition(LEE), cutShort));
    await expect(entrance.getAccessToken(LEE, ["User.Read"])).rejects.toMatchObject({
      code: "reauthentication_required",
    });
    // An index that is not JSON: no hit; MSAL then reads the cache that follows and answers.
    const { store: other, entrance: again } = await signedInAs(
      emulator,
      "lee@contoso.onmicrosoft.com",
    );
    const good = cipher.decrypt(
      partition(LEE),
      (await other.tokens.get(partition(LEE))) ?? new Uint8Array(),
    );
    const cache = Buffer.from((good && cacheOf(good.plaintext)) ?? "", "utf8");
    const notJson = Buffer.from("{oops", "utf8");
    const header = Buffer.from([0x01, 0, 0, 0, notJson.length]);
    await other.tokens.put(
      partition(LEE),
      cipher.encrypt(partition(LEE), Buffer.concat([header, notJson, cache])),
    );
    await expect(again.getAccessToken(LEE, ["User.Read"])).resolves.toMatchObject({
      scopes: expect.arrayContaining(["User.Read"]),
    });
  });

  it("keeps users signed in across a secret rotation and re-encrypts under the newest secret", async () => {
    const oldSecret = "old-secret-old-secret-old-secret-0000";
    const { store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com", {
      secrets: [oldSecret],
    });
    const rotated = entranceFor(emulator, store, {
      secrets: ["new-secret-new-secret-new-secret-1111", oldSecret],
    });
    const before = await store.tokens.get(partition(LEE));
    await expect(rotated.getAccessToken(LEE, ["User.Read"])).resolves.toMatchObject({
      scopes: expect.arrayContaining(["User.Read"]),
    });
    const after = await store.tokens.get(partition(LEE));
    expect(Buffer.from(after ?? []).equals(Buffer.from(before ?? []))).toBe(false);
    const newOnly = entranceFor(emulator, store, {
      secrets: ["new-secret-new-secret-new-secret-1111"],
    });
    await expect(newOnly.getAccessToken(LEE, ["User.Read"])).resolves.toBeTruthy();
  });
});

describe("incremental consent", () => {
  it("asks for consent when a scope was not granted, and has it after the consent sign-in", async () => {
    const { entrance, jar, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const error = (await entrance
      .getAccessToken(LEE, ["Calendars.Read"])
      .catch((e: unknown) => e)) as EntranceError;
    expect(error).toMatchObject({
      code: "interaction_required",
      aadsts: 65001,
      interaction: { scopes: ["Calendars.Read"] },
    });
    expect(await store.tokens.get(partition(LEE))).not.toBeNull();

    const login = await browse(
      entrance,
      jar,
      entrance.loginUrlFor(error.interaction ?? { scopes: [] }, "/calendar"),
    );
    const { location } = await pickAccount(emulator, login.headers.get("location") ?? "", {
      user: "lee@contoso.onmicrosoft.com",
    });
    const back = await browse(entrance, jar, location);
    expect(back.headers.get("location")).toBe("/calendar");
    emulator.control.resetCounts();
    const calendar = await entrance.getAccessToken(LEE, ["Calendars.Read"]);
    expect(decodeJwt(calendar.token).scp).toContain("Calendars.Read");
    // The earlier token (User.Read) was kept beside the new one.
    await entrance.getAccessToken(LEE, ["User.Read"]);
    expect(refreshes()).toBeLessThanOrEqual(1);
  });
});

describe("Microsoft Graph as the user", () => {
  it("calls /me with the user's token", async () => {
    const { entrance } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com", graphFor());
    const me = await entrance
      .graph({ tenantId: defaults.contoso, objectId: defaults.users.admin })
      .api("/me")
      .get();
    expect(me).toMatchObject({ id: defaults.users.admin, displayName: "Megan Bowen" });
  });

  it("answers a continuous access evaluation challenge with a token carrying the claims, once", async () => {
    const { entrance } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com", graphFor());
    emulator.control.queueFault("graph", claimsChallenge(emulator.urls.http));
    emulator.control.resetCounts();
    const me = await entrance
      .graph({ tenantId: defaults.contoso, objectId: defaults.users.admin })
      .api("/me")
      .get();
    expect(me.id).toBe(defaults.users.admin);
    expect(emulator.control.counts()).toMatchObject({ graph: 2, "token:refresh_token": 1 });
  });

  it("refreshes once when Graph's clock says the token expired though Entrance's does not", async () => {
    const { entrance } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com", graphFor());
    // Microsoft's clock two hours ahead of this server's: the held token is stale for Graph.
    emulator.control.shiftClock(2 * 3600);
    try {
      emulator.control.resetCounts();
      const me = await entrance
        .graph({ tenantId: defaults.contoso, objectId: defaults.users.admin })
        .api("/me")
        .get();
      expect(me.id).toBe(defaults.users.admin);
      expect(emulator.control.counts()).toMatchObject({ graph: 2, "token:refresh_token": 1 });
    } finally {
      emulator.control.shiftClock(-2 * 3600);
    }
  });

  it("says graph_token_rejected when Graph refuses even a token issued just now", async () => {
    const { entrance } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com", graphFor());
    const invalid = {
      kind: "status",
      status: 401,
      body: { error: { code: "InvalidAuthenticationToken", message: "Access token has expired." } },
      headers: { "www-authenticate": 'Bearer realm="", error="invalid_token"' },
    } as const;
    emulator.control.queueFault("graph", invalid, 2);
    emulator.control.resetCounts();
    await expect(
      entrance
        .graph({ tenantId: defaults.contoso, objectId: defaults.users.admin })
        .api("/me")
        .get(),
    ).rejects.toMatchObject({ code: "graph_token_rejected" });
    expect(emulator.control.counts()).toMatchObject({ graph: 2, "token:refresh_token": 1 });
  });

  it("waits as Retry-After says on 429 and then succeeds", async () => {
    const { entrance } = await signedInAs(emulator, "megan@contoso.onmicrosoft.com", graphFor());
    emulator.control.queueFault("graph", throttled(1));
    emulator.control.resetCounts();
    const me = await entrance
      .graph({ tenantId: defaults.contoso, objectId: defaults.users.admin })
      .api("/me")
      .get();
    expect(me.id).toBe(defaults.users.admin);
    expect(emulator.control.counts().graph).toBe(2);
  });

  it("asks for consent when a request names a scope the user has not granted", async () => {
    const { entrance } = await signedInAs(emulator, "alex@contoso.onmicrosoft.com", graphFor());
    const request = entrance
      .graph({ tenantId: defaults.contoso, objectId: defaults.users.noPhoto })
      .api("/me/memberOf")
      .middlewareOptions([
        new AuthenticationHandlerOptions(undefined, { scopes: ["Directory.Read.All"] }),
      ])
      .get();
    await expect(request).rejects.toMatchObject({ code: "interaction_required" });
  });
});

describe("no token is ever given to a store in the clear", () => {
  it("holds for every partition written during a sign-in and a refresh", async () => {
    emulator.control.setLifetimes({ accessToken: 60 });
    const { store } = fresh(emulator);
    const written: Uint8Array[] = [];
    const spy = {
      ...store,
      tokens: {
        ...store.tokens,
        put: async (p: string, d: Uint8Array, i?: Uint8Array) => {
          written.push(d);
          if (i) written.push(i);
          await store.tokens.put(p, d, i);
        },
      },
    };
    const entrance = entranceFor(emulator, spy);
    const { jar } = fresh(emulator);
    await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    const token = await entrance.getAccessToken(LEE, ["User.Read"]);
    // Two puts (sign-in, refresh), each of two parts: the data and the index.
    expect(written.length).toBeGreaterThanOrEqual(4);
    for (const blob of written) {
      const text = Buffer.from(blob).toString("latin1");
      expect(text).not.toContain(token.token.slice(0, 40));
      expect(text).not.toContain("eyJ");
      expect(text).not.toContain("RefreshToken");
    }
  });
});

describe("the app's own tokens against a failing Entra", () => {
  it.each([
    ["a 500 with server_error", { kind: "status", status: 500 }],
    [
      "a 503 with temporarily_unavailable",
      { kind: "error", error: "temporarily_unavailable", aadsts: 90033, status: 503 },
    ],
  ] as const)("says identity_provider_unavailable on %s, as a refresh does", async (_, fault) => {
    const { entrance } = fresh(emulator);
    emulator.control.queueFault("token", fault);
    const error = (await entrance
      .getAppToken("https://graph.microsoft.com/.default", { tenantId: defaults.contoso })
      .catch((e: unknown) => e)) as EntranceError;
    expect(error).toMatchObject({ code: "identity_provider_unavailable" });
    emulator.control.clearFaults();
    expect(
      (
        await entrance.getAppToken("https://graph.microsoft.com/.default", {
          tenantId: defaults.contoso,
        })
      ).token,
    ).toBeTruthy();
  });
});
