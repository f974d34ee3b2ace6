/**
 * Bearer tokens: every forged or mis-aimed access token that `requireBearer` must refuse, against
 * real emulator tokens and tokens forged with the emulator's own key (read from its data folder).
 * Moved here from packages/core/test/bearer.test.ts, which keeps what requireBearer accepts and
 * how it handles its keys.
 */
import { createHmac, createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bearerGuard, type Entrance, type Guard } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { request, signInWithoutBrowser } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  activeSigningKey,
  appClaims,
  callApi,
  signToken,
  userClaims,
} from "../../packages/core/test/support/bearer.js";
import { apiCore } from "./support/bearer.js";

const API = `api://${defaults.webApp}`;

let emulator: RunningEmulator;
let dataDir: string;
let key: Awaited<ReturnType<typeof activeSigningKey>>;
let entrance: Entrance;
/** Users with `Orders.Read` (any caller kind the default allows: users). */
let readOrders: Guard;
/** Megan's real token for the web app's API, with the scope Orders.Read. */
let meganToken: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-bearer-"));
  emulator = await startEmulator({ dataDir });
  key = await activeSigningKey(dataDir);
  entrance = apiCore(emulator);
  readOrders = entrance.guard(bearerGuard({ scopes: ["Orders.Read"] }));
  meganToken = (
    await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: [`${API}/Orders.Read`],
    })
  ).accessToken;
});

afterAll(async () => {
  await emulator?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A token with exactly this header, signed by the emulator's key (jose refuses odd headers). */
function signWithHeader(header: Record<string, unknown>, claims = userClaims(emulator)): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  const signature = createSign("sha256").update(input).sign(key.privateKey, "base64url");
  return `${input}.${signature}`;
}

/** Asserts a 401 invalid_token answer for `reason`, that names no part of the token. */
async function expectInvalid(answer: Response | null, reason: string, token?: string) {
  expect(answer?.status).toBe(401);
  const challenge = answer?.headers.get("www-authenticate") ?? "";
  expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"\\]+"$/);
  const body = await answer?.json();
  expect(body).toMatchObject({ error: "bearer_token_invalid", reason });
  if (token) {
    for (const part of token.split(".").filter((p) => p.length > 8)) {
      expect(challenge).not.toContain(part);
      expect(JSON.stringify(body)).not.toContain(part);
    }
  }
}

async function expectForbidden(answer: Response | null, reason: string, scope?: string) {
  expect(answer?.status).toBe(403);
  const challenge = answer?.headers.get("www-authenticate") ?? "";
  expect(challenge).toMatch(/^Bearer error="insufficient_scope", error_description="[^"\\]+"/);
  if (scope) expect(challenge).toContain(`scope="${scope}"`);
  expect(await answer?.json()).toMatchObject({ error: "bearer_insufficient_scope", reason });
}

describe("Bearer tokens", () => {
  it("a request without a token, or with another scheme, with a bare Bearer challenge", async () => {
    for (const header of [null, "", "Basic dXNlcjpwYXNz", `Negotiate ${meganToken}`]) {
      const { answer, context } = await callApi(entrance, readOrders, header);
      expect(answer?.status).toBe(401);
      expect(answer?.headers.get("www-authenticate")).toBe("Bearer");
      expect(await answer?.json()).toMatchObject({ error: "bearer_token_missing" });
      expect(context.caller).toBeNull();
    }
  });

  it("malformed headers with 401, never a 5xx", async () => {
    const [h, p, s] = meganToken.split(".") as [string, string, string];
    const headers = [
      "Bearer",
      "Bearer ",
      `Bearer ${h}.${p}`,
      `Bearer ${meganToken} ${meganToken}`,
      `Bearer ${meganToken}, Bearer ${meganToken}`,
      `Bearer ${h}..${s}`,
      `Bearer ${h}.${p}.${s}=`,
      `Bearer ${h}.${p}.${s}.${s}`,
      `Bearer e30.${p}.${s}`,
      `Bearer bm90IGpzb24.${p}.${s}`,
      `Bearer ${Buffer.from("[1,2]").toString("base64url")}.${p}.${s}`,
      "Bearer ...",
      "Bearer \u00e9t\u00e9.a.b",
    ];
    for (const header of headers) {
      const { answer } = await callApi(entrance, readOrders, header);
      expect(answer?.status, header).toBe(401);
      expect(await answer?.json()).toMatchObject({ error: "bearer_token_invalid" });
    }
  });

  it("random junk in the header with 401 or the bare challenge, never a 5xx or a throw", async () => {
    for (let i = 0; i < 200; i++) {
      const junk = randomBytes(1 + (i % 90)).toString(i % 2 ? "base64url" : "latin1");
      const dotted = i % 3 ? junk : `${junk}.${junk}.${junk}`;
      const header = `Bearer ${dotted}`.replace(/[\r\n\0]/g, "x");
      const { answer } = await callApi(entrance, readOrders, header);
      expect(answer?.status).toBe(401);
    }
  });

  it("an Authorization header of 8 KB or more", async () => {
    const padded = `Bearer ${meganToken}.${"A".repeat(8192)}`;
    await expectInvalid((await callApi(entrance, readOrders, padded)).answer, "too_large");
    const big = await signToken(key, userClaims(emulator, { pad: "x".repeat(8200) }));
    await expectInvalid((await callApi(entrance, readOrders, `Bearer ${big}`)).answer, "too_large");
  });

  it("a bad signature: the claims of a valid token signed by another key under its kid", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = await signToken({ kid: key.kid, privateKey }, userClaims(emulator));
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${forged}`)).answer,
      "signature",
      forged,
    );
  });

  it("a verified token's claims with another signature (the verified cache keys the whole token)", async () => {
    expect((await callApi(entrance, readOrders, `Bearer ${meganToken}`)).answer).toBeNull();
    const [h, p, s] = meganToken.split(".") as [string, string, string];
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === "A" ? "B" : "A"}${s.slice(11)}`;
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${flipped}`)).answer,
      "signature",
    );
    const otherClaims = `${h}.${Buffer.from(JSON.stringify(userClaims(emulator, { scp: "Orders.Read Orders.Write" }))).toString("base64url")}.${s}`;
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${otherClaims}`)).answer,
      "signature",
    );
  });

  it("alg none, with and without a signature", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none", kid: key.kid })).toString("base64url");
    const payload = Buffer.from(JSON.stringify(userClaims(emulator))).toString("base64url");
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${header}.${payload}.`)).answer,
      "malformed",
    );
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${header}.${payload}.AAAA`)).answer,
      "algorithm",
    );
  });

  it("HS256 signed with the provider's public key as the secret", async () => {
    const jwks = (
      await request(`${emulator.urls.https}/organizations/discovery/v2.0/keys`, {
        ca: emulator.caCertPem,
      })
    ).json<{ keys: { kid: string; n: string; x5c: string[] }[] }>();
    // Whatever form the attacker picks for the "secret" (PEM of the certificate, the modulus), the
    // algorithm is refused before any key is used.
    const published = jwks.keys.find((k) => k.kid === key.kid);
    expect(published).toBeDefined();
    const secrets = [published?.n ?? "", published?.x5c[0] ?? "", key.kid];
    for (const secret of secrets) {
      const header = Buffer.from(
        JSON.stringify({ alg: "HS256", typ: "JWT", kid: key.kid }),
      ).toString("base64url");
      const payload = Buffer.from(JSON.stringify(userClaims(emulator))).toString("base64url");
      const mac = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
      await expectInvalid(
        (await callApi(entrance, readOrders, `Bearer ${header}.${payload}.${mac}`)).answer,
        "algorithm",
      );
    }
    for (const alg of ["RS384", "PS256", "ES256", "RS256 ", "rs256"]) {
      const forged = await signToken(key, userClaims(emulator), { alg: "RS256" });
      const [, p, s] = forged.split(".");
      const header = Buffer.from(JSON.stringify({ alg, kid: key.kid })).toString("base64url");
      await expectInvalid(
        (await callApi(entrance, readOrders, `Bearer ${header}.${p}.${s}`)).answer,
        "algorithm",
      );
    }
  });

  it("a token without a kid, or with a crit header", async () => {
    const noKid = await signToken(key, userClaims(emulator), { kid: undefined });
    const crit = signWithHeader({ alg: "RS256", kid: key.kid, crit: ["exp"], exp: 1 });
    for (const forged of [noKid, crit]) {
      await expectInvalid(
        (await callApi(entrance, readOrders, `Bearer ${forged}`)).answer,
        "malformed",
      );
    }
  });

  it("a wrong audience: another API's token, and Microsoft Graph's", async () => {
    const other = await signToken(
      key,
      userClaims(emulator, { aud: "e7a9c1b3-5d2f-4e6a-8c0b-1f3d5a7c9e2b" }),
    );
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${other}`)).answer,
      "audience",
    );
    const graph = await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: ["User.Read"],
    });
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${graph.accessToken}`)).answer,
      "audience",
    );
  });

  it("an audience the route does not list, when it lists its own", async () => {
    const custom = entrance.guard(
      bearerGuard({ audience: ["https://orders.example.com"], scopes: ["Orders.Read"] }),
    );
    await expectInvalid(
      (await callApi(entrance, custom, `Bearer ${meganToken}`)).answer,
      "audience",
    );
    const token = await signToken(key, userClaims(emulator, { aud: "https://orders.example.com" }));
    expect((await callApi(entrance, custom, `Bearer ${token}`)).answer).toBeNull();
  });

  it("a wrong issuer, and an issuer whose tenant is not the token's tid", async () => {
    for (const iss of [
      `https://login.microsoftonline.com/${defaults.contoso}/v2.0`,
      `${emulator.urls.https}/${defaults.contoso}/v2.0/`,
      `${emulator.urls.https}/${defaults.fabrikam}/v2.0`,
      `${emulator.urls.https}/{tenantid}/v2.0`,
      `https://sts.windows.net/${defaults.contoso}/`,
      undefined,
    ]) {
      const token = await signToken(key, userClaims(emulator, { iss }));
      await expectInvalid(
        (await callApi(entrance, readOrders, `Bearer ${token}`)).answer,
        "issuer",
      );
    }
  });

  it("a v1.0 token where only v2.0 is accepted, and the reverse", async () => {
    const v1 = await signToken(
      key,
      userClaims(emulator, {
        aud: API,
        iss: `https://sts.windows.net/${defaults.contoso}/`,
        ver: "1.0",
        azp: undefined,
        appid: defaults.webApp,
      }),
    );
    const answer = (await callApi(entrance, readOrders, `Bearer ${v1}`)).answer;
    expect(answer?.headers.get("www-authenticate")).toContain("accessTokenAcceptedVersion");
    await expectInvalid(answer, "version");
    const v1Only = entrance.guard(bearerGuard({ scopes: ["Orders.Read"], versions: [1] }));
    expect((await callApi(entrance, v1Only, `Bearer ${v1}`)).answer).toBeNull();
    await expectInvalid(
      (await callApi(entrance, v1Only, `Bearer ${meganToken}`)).answer,
      "version",
    );
    // A v1.0 token must carry the v1.0 issuer, and a v2.0 token the v2.0 one.
    const mixed = await signToken(key, userClaims(emulator, { ver: "1.0" }));
    await expectInvalid((await callApi(entrance, v1Only, `Bearer ${mixed}`)).answer, "issuer");
    // v1.0's issuer is Entra's sts.windows.net, not the sign-in host.
    const onHost = await signToken(
      key,
      userClaims(emulator, { ver: "1.0", iss: `${emulator.urls.https}/${defaults.contoso}/` }),
    );
    await expectInvalid((await callApi(entrance, v1Only, `Bearer ${onHost}`)).answer, "issuer");
  });

  it("a token from a tenant the app does not trust (Fabrikam's Mallory), real and forged", async () => {
    const mallory = await signInWithoutBrowser(emulator, {
      user: "mallory@fabrikam.onmicrosoft.com",
      scopes: [`${API}/Orders.Read`],
    });
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${mallory.accessToken}`)).answer,
      "tenant",
    );
    const forged = await signToken(
      key,
      userClaims(emulator, {
        tid: defaults.fabrikam,
        iss: `${emulator.urls.https}/${defaults.fabrikam}/v2.0`,
      }),
    );
    await expectInvalid((await callApi(entrance, readOrders, `Bearer ${forged}`)).answer, "tenant");
    // Named on the route, the tenant is accepted there.
    const fabrikamToo = entrance.guard(
      bearerGuard({ scopes: ["Orders.Read"], tenants: [defaults.contoso, defaults.fabrikam] }),
    );
    expect((await callApi(entrance, fabrikamToo, `Bearer ${forged}`)).answer).toBeNull();
  });

  it("an expired token, and one not valid yet (beyond the 300 s skew)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signToken(key, userClaims(emulator, { iat: now - 7200, exp: now - 400 }));
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${expired}`)).answer,
      "expired",
    );
    const early = await signToken(key, userClaims(emulator, { nbf: now + 400, exp: now + 4000 }));
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${early}`)).answer,
      "not_yet_valid",
    );
  });

  it("a real token the emulator issued an hour and a half ago (its clock moved back)", async () => {
    emulator.control.shiftClock(-5400);
    try {
      const old = await signInWithoutBrowser(emulator, {
        user: "lee@contoso.onmicrosoft.com",
        scopes: [`${API}/Orders.Read`],
      });
      await expectInvalid(
        (await callApi(entrance, readOrders, `Bearer ${old.accessToken}`)).answer,
        "expired",
      );
    } finally {
      emulator.control.shiftClock(5400);
    }
  });

  it("a token without the claims an access token has", async () => {
    for (const missing of ["tid", "oid", "ver", "exp", "azp"]) {
      const token = await signToken(key, userClaims(emulator, { [missing]: undefined }));
      await expectInvalid(
        (await callApi(entrance, readOrders, `Bearer ${token}`)).answer,
        "claims",
      );
    }
    const notGuid = await signToken(key, userClaims(emulator, { tid: "contoso" }));
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${notGuid}`)).answer,
      "claims",
    );
  });

  it("a user token without the route's scope: 403 naming the scope", async () => {
    const approve = entrance.guard(bearerGuard({ scopes: ["access_as_user"] }));
    await expectForbidden(
      (await callApi(entrance, approve, `Bearer ${meganToken}`)).answer,
      "scope",
      "access_as_user",
    );
  });

  it("an app-only token on a user route, and a user token on an app route", async () => {
    const app = await signToken(key, appClaims(emulator));
    await expectForbidden(
      (await callApi(entrance, readOrders, `Bearer ${app}`)).answer,
      "caller_kind",
    );
    // No idtyp and no scp is app-only too (idtyp is an optional claim).
    const bare = await signToken(key, appClaims(emulator, { idtyp: undefined }));
    await expectForbidden(
      (await callApi(entrance, readOrders, `Bearer ${bare}`)).answer,
      "caller_kind",
    );
    const daemons = entrance.guard(bearerGuard({ roles: ["Orders.Approve"] }));
    await expectForbidden(
      (await callApi(entrance, daemons, `Bearer ${meganToken}`)).answer,
      "caller_kind",
    );
  });

  it("an app-only token without the route's role", async () => {
    const admins = entrance.guard(bearerGuard({ roles: ["Entrance.Admin"] }));
    const app = await signToken(key, appClaims(emulator));
    await expectForbidden(
      (await callApi(entrance, admins, `Bearer ${app}`)).answer,
      "role",
      "Entrance.Admin",
    );
    const otherRole = await signToken(key, appClaims(emulator, { roles: ["Orders.Read"] }));
    await expectForbidden((await callApi(entrance, admins, `Bearer ${otherRole}`)).answer, "role");
  });

  // What the security review found (2026-11).
  it("a signature whose unused last bits were changed (a non-canonical base64url form)", async () => {
    const token = await signToken(key, userClaims(emulator));
    expect((await callApi(entrance, readOrders, `Bearer ${token}`)).answer).toBeNull();
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(token.at(-1) ?? "");
    // 256 bytes are 342 characters: the last one carries 2 bits of the signature and 4 unused.
    const twin = `${token.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(twin.split(".")[2] ?? "", "base64url")).toEqual(
      Buffer.from(token.split(".")[2] ?? "", "base64url"),
    );
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${twin}`)).answer,
      "signature",
    );
  });

  it("a token without iat or sub, and one issued in the future (beyond the skew)", async () => {
    for (const missing of ["iat", "sub"]) {
      const token = await signToken(key, userClaims(emulator, { [missing]: undefined }));
      await expectInvalid(
        (await callApi(entrance, readOrders, `Bearer ${token}`)).answer,
        "claims",
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const future = await signToken(key, userClaims(emulator, { iat: now + 400 }));
    await expectInvalid(
      (await callApi(entrance, readOrders, `Bearer ${future}`)).answer,
      "not_yet_valid",
    );
  });

  it("an audience given as an array, even holding the app's client id", async () => {
    const token = await signToken(key, userClaims(emulator, { aud: [defaults.webApp] }));
    await expectInvalid((await callApi(entrance, readOrders, `Bearer ${token}`)).answer, "claims");
  });

  it("an ID token for the app with roles on an app route, a token with a nonce, one with neither scp nor roles", async () => {
    const daemons = entrance.guard(bearerGuard({ roles: ["Orders.Approve"] }));
    const { scp: _scp, idtyp: _idtyp, ...user } = userClaims(emulator);
    // Shaped like an ID token Entra issues the web app: its user's oid, a pairwise sub, roles.
    const idToken = await signToken(key, {
      ...user,
      name: "Megan Bowen",
      preferred_username: "megan@contoso.onmicrosoft.com",
      roles: ["Orders.Approve"],
    });
    await expectInvalid((await callApi(entrance, daemons, `Bearer ${idToken}`)).answer, "claims");
    const withNonce = await signToken(key, appClaims(emulator, { nonce: "n-0S6_WzA2Mj" }));
    await expectInvalid((await callApi(entrance, daemons, `Bearer ${withNonce}`)).answer, "claims");
    const bare = await signToken(key, appClaims(emulator, { roles: undefined }));
    await expectInvalid((await callApi(entrance, daemons, `Bearer ${bare}`)).answer, "claims");
  });
});
