import { createHmac, createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { request, signInWithoutBrowser, trustingNetworkClient } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BearerValidator } from "../src/bearer/validator.js";
import { bearerGuard, type Entrance, type Guard } from "../src/index.js";
import { Metadata } from "../src/tokens/metadata.js";
import {
  activeSigningKey,
  appClaims,
  callApi,
  daemonToken,
  signToken,
  userClaims,
} from "./support/bearer.js";
import { fresh } from "./support/emulated.js";

const API = `api://${defaults.webApp}`;
/** An API registered for v1.0 access tokens (accessTokenAcceptedVersion 1). */
const V1_API = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

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
  entrance = fresh(emulator).entrance;
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

describe("requireBearer accepts", () => {
  it("a real emulator token for the app's API, and puts the caller on the context", async () => {
    const { answer, context } = await callApi(entrance, readOrders, `Bearer ${meganToken}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({
      kind: "user",
      tenantId: defaults.contoso,
      objectId: defaults.users.admin,
      appId: defaults.webApp,
      version: 2,
    });
    expect(context.caller?.scopes).toContain("Orders.Read");
    expect(context.caller?.claims.preferred_username).toBe("megan@contoso.onmicrosoft.com");
    expect(JSON.stringify(context.caller)).not.toContain(meganToken.split(".")[2]);
  });

  it("the scheme in any letter case, with extra spaces", async () => {
    for (const scheme of ["bearer", "BEARER", "BeArEr"]) {
      const { answer } = await callApi(entrance, readOrders, `  ${scheme}   ${meganToken} `);
      expect(answer).toBeNull();
    }
  });

  it("a token expired by less than the clock skew (300 s)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signToken(key, userClaims(emulator, { exp: now - 60 }));
    expect((await callApi(entrance, readOrders, `Bearer ${token}`)).answer).toBeNull();
  });

  it("audience api://<client id> as well as the client id", async () => {
    const token = await signToken(key, userClaims(emulator, { aud: API }));
    expect((await callApi(entrance, readOrders, `Bearer ${token}`)).answer).toBeNull();
  });

  it("an app-only token with the role on an app route, and either kind on a mixed route", async () => {
    const daemons = entrance.guard(bearerGuard({ roles: ["Orders.Approve"] }));
    const app = await signToken(key, appClaims(emulator));
    const { answer, context } = await callApi(entrance, daemons, `Bearer ${app}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({ kind: "app", roles: ["Orders.Approve"], scopes: [] });
    const mixed = entrance.guard(
      bearerGuard({ scopes: ["Orders.Read"], roles: ["Orders.Approve"] }),
    );
    expect((await callApi(entrance, mixed, `Bearer ${app}`)).answer).toBeNull();
    expect((await callApi(entrance, mixed, `Bearer ${meganToken}`)).answer).toBeNull();
  });

  it("a real v1.0 token of an API registered for v1.0, where the route accepts v1.0", async () => {
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: V1_API,
      displayName: "Orders API (v1.0 tokens)",
      exposedScopes: ["Orders.Read"],
      accessTokenAcceptedVersion: 1,
    });
    const { accessToken } = await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: [`api://${V1_API}/Orders.Read`],
    });
    const { entrance: api } = fresh(emulator, { clientId: V1_API });
    const v1Route = api.guard(bearerGuard({ scopes: ["Orders.Read"], versions: [1] }));
    const { answer, context } = await callApi(api, v1Route, `Bearer ${accessToken}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({ kind: "user", version: 1, appId: defaults.webApp });
    const v2Route = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    await expectInvalid((await callApi(api, v2Route, `Bearer ${accessToken}`)).answer, "version");
  });

  it("a real app-only token from the client credentials grant, on a route for its role", async () => {
    const daemon = await daemonToken(emulator);
    const daemons = entrance.guard(bearerGuard({ roles: [defaults.daemonRole] }));
    const { answer, context } = await callApi(entrance, daemons, `Bearer ${daemon}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({
      kind: "app",
      tenantId: defaults.contoso,
      appId: defaults.daemonApp,
      roles: [defaults.daemonRole],
      scopes: [],
      version: 2,
    });
    // Not on a users' route, and not on a route for another role.
    await expectForbidden(
      (await callApi(entrance, readOrders, `Bearer ${daemon}`)).answer,
      "caller_kind",
    );
    const approvers = entrance.guard(bearerGuard({ roles: ["Orders.Approve"] }));
    await expectForbidden(
      (await callApi(entrance, approvers, `Bearer ${daemon}`)).answer,
      "role",
      "Orders.Approve",
    );
  });

  it("a daemon's token from MSAL Node's acquireTokenByClientCredential, unchanged", async () => {
    const daemon = new ConfidentialClientApplication({
      auth: {
        clientId: defaults.daemonApp,
        clientSecret: defaults.daemonSecret,
        authority: emulator.authority("contoso.onmicrosoft.com"),
        knownAuthorities: [new URL(emulator.urls.https).host],
      },
      system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
    });
    const result = await daemon.acquireTokenByClientCredential({ scopes: [`${API}/.default`] });
    const daemons = entrance.guard(bearerGuard({ roles: [defaults.daemonRole] }));
    const { answer, context } = await callApi(entrance, daemons, `Bearer ${result?.accessToken}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({ kind: "app", appId: defaults.daemonApp });
  });

  it("scopes any-of by default, all-of on request", async () => {
    const anyOf = entrance.guard(bearerGuard({ scopes: ["Orders.Write", "Orders.Read"] }));
    expect((await callApi(entrance, anyOf, `Bearer ${meganToken}`)).answer).toBeNull();
    const allOf = entrance.guard(
      bearerGuard({ scopes: ["Orders.Write", "Orders.Read"], match: "all" }),
    );
    const { answer } = await callApi(entrance, allOf, `Bearer ${meganToken}`);
    await expectForbidden(answer, "scope", "Orders.Write Orders.Read");
  });
});

describe("requireBearer refuses", () => {
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
});

describe("requireBearer refuses what the review found (2026-11)", () => {
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

describe("requireBearer in a single-tenant app named by its domain", () => {
  it("learns the tenant's id from the metadata, then accepts its tokens only", async () => {
    const { entrance: contosoOnly } = fresh(emulator, {
      tenantId: "contoso.onmicrosoft.com",
      authorization: { trustedTenants: [] },
    });
    const guard = contosoOnly.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const { answer, context } = await callApi(contosoOnly, guard, `Bearer ${meganToken}`);
    expect(answer).toBeNull();
    expect(context.caller?.tenantId).toBe(defaults.contoso);
    const fabrikam = await signToken(
      key,
      userClaims(emulator, {
        tid: defaults.fabrikam,
        iss: `${emulator.urls.https}/${defaults.fabrikam}/v2.0`,
      }),
    );
    await expectInvalid((await callApi(contosoOnly, guard, `Bearer ${fabrikam}`)).answer, "tenant");
  });
});

describe("requireBearer in a single-tenant app named by its domain, while Entra is down", () => {
  it("answers 503 with Retry-After, not 401 tenant, until it has learnt its tenant's id", async () => {
    const quiet = () => {};
    const { entrance: contosoOnly } = fresh(emulator, {
      tenantId: "contoso.onmicrosoft.com",
      authorization: { trustedTenants: [] },
      logger: { warn: quiet, error: quiet },
    });
    const guard = contosoOnly.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    emulator.control.queueFault("discovery", { kind: "status", status: 500 }, 3); // a read and its 2 retries
    try {
      expect((await callApi(contosoOnly, guard, `Bearer ${meganToken}`)).answer?.status).toBe(503);
      // The keys are read again after their 5 s backoff; the tenant's id is asked for again
      // only after 30 s, so for a while the keys are in and the tenant is still unknown.
      await new Promise((resolve) => setTimeout(resolve, 5100));
      const { answer } = await callApi(contosoOnly, guard, `Bearer ${meganToken}`);
      expect(answer?.status).toBe(503);
      expect(answer?.headers.get("retry-after")).toBe("5");
      expect(await answer?.json()).toMatchObject({ error: "signing_keys_unavailable" });
    } finally {
      emulator.control.clearFaults();
    }
  }, 15_000);
});

describe("requireBearer's options", () => {
  it("are checked where the guard is written", () => {
    expect(() => bearerGuard({ scopes: [] })).toThrow(TypeError);
    expect(() => bearerGuard({ scopes: ["Orders Read"] })).toThrow(/scope name/);
    expect(() => bearerGuard({ scopes: ['Orders"Read'] })).toThrow(TypeError);
    expect(() => bearerGuard({ tenants: ["contoso.onmicrosoft.com"] })).toThrow(/GUID/);
    expect(() => bearerGuard({ callers: "app" })).toThrow(/roles/);
    expect(() => bearerGuard({ callers: "user", roles: ["A"] })).toThrow(/app-only/);
    expect(() => bearerGuard({ versions: [3 as 2] })).toThrow(TypeError);
  });

  it("need trusted tenants in an organizations app that trusts none", () => {
    const { entrance: untrusting } = fresh(emulator, { authorization: { trustedTenants: [] } });
    expect(() => untrusting.guard(bearerGuard({ scopes: ["Orders.Read"] }))).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
    expect(() =>
      untrusting.guard(bearerGuard({ scopes: ["Orders.Read"], tenants: [defaults.contoso] })),
    ).not.toThrow();
  });
});

describe("requireBearer and the signing keys", () => {
  it("answers 503 with a code while the keys cannot be read, and never fetches per request", async () => {
    const logged: string[] = [];
    const log = (_fields: object, message: string) => void logged.push(message);
    const { entrance: cold } = fresh(emulator, { logger: { warn: log, error: log } });
    const guard = cold.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    emulator.control.resetCounts();
    emulator.control.queueFault("keys", { kind: "status", status: 500 }, 3);
    const { answer } = await callApi(cold, guard, `Bearer ${meganToken}`);
    expect(answer?.status).toBe(503);
    expect(answer?.headers.get("retry-after")).toBe("5");
    expect(await answer?.json()).toMatchObject({
      error: "signing_keys_unavailable",
      reason: "keys_unavailable",
    });
    const fetched = emulator.control.counts().keys ?? 0;
    for (let i = 0; i < 20; i++) {
      expect((await callApi(cold, guard, `Bearer ${meganToken}`)).answer?.status).toBe(503);
    }
    expect(emulator.control.counts().keys ?? 0).toBe(fetched);
    // Logged once for the 21 refusals, and without the token.
    expect(logged).toEqual([
      "entrance: bearer tokens cannot be checked: the signing keys are unavailable",
    ]);
    emulator.control.clearFaults();
  });

  it("answers 503 to a JWKS answer that is not JSON", async () => {
    const quiet = () => {};
    const { entrance: cold } = fresh(emulator, {
      logger: { warn: quiet, error: quiet },
    });
    const guard = cold.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    emulator.control.queueFault("keys", { kind: "malformed" }, 3);
    const { answer } = await callApi(cold, guard, `Bearer ${meganToken}`);
    expect(answer?.status).toBe(503);
    expect(await answer?.json()).toMatchObject({ error: "signing_keys_unavailable" });
    emulator.control.clearFaults();
  });

  it("reads the keys once for many first requests at the same time", async () => {
    const { entrance: cold } = fresh(emulator);
    const guard = cold.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    emulator.control.resetCounts();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => callApi(cold, guard, `Bearer ${meganToken}`)),
    );
    expect(answers.map(({ answer }) => answer)).toEqual(Array(20).fill(null));
    expect(emulator.control.counts().keys).toBe(1);
  });

  it("refuses an unknown kid, and accepts a rotated key after exactly one refetch", async () => {
    const { entrance: core } = fresh(emulator);
    const guard = core.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    expect((await callApi(core, guard, `Bearer ${meganToken}`)).answer).toBeNull();

    const newKid = await emulator.control.rotateSigningKeys();
    const rotated = await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: [`${API}/Orders.Read`],
    });
    expect(
      JSON.parse(Buffer.from(rotated.accessToken.split(".")[0] ?? "", "base64url").toString()),
    ).toMatchObject({ kid: newKid });
    emulator.control.resetCounts();
    expect((await callApi(core, guard, `Bearer ${rotated.accessToken}`)).answer).toBeNull();
    expect(emulator.control.counts().keys).toBe(1);

    // A flood of made-up key ids right after: refused, and Entra is not asked again.
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    for (let i = 0; i < 25; i++) {
      const forged = await signToken({ kid: `made-up-${i}`, privateKey }, userClaims(emulator));
      await expectInvalid((await callApi(core, guard, `Bearer ${forged}`)).answer, "key_unknown");
    }
    expect(emulator.control.counts().keys).toBe(1);
    // The earlier key is still published (rotation without retire): its tokens still pass.
    expect((await callApi(core, guard, `Bearer ${meganToken}`)).answer).toBeNull();
  });
});

describe("requireBearer and a withdrawn signing key", () => {
  it("refuses, once the day-old key set was read again, a cached token of a key no longer published", async () => {
    let now = Date.now();
    const metadata = new Metadata(
      `${emulator.urls.https}/organizations`,
      trustingNetworkClient(emulator.caCertPem),
      () => now,
    );
    const validator = new BearerValidator({
      authorityHost: emulator.urls.https,
      clockSkew: 300,
      metadata,
      now: () => now,
    });
    const keepAll = () => true;
    const signer = await activeSigningKey(dataDir);
    const seconds = Math.floor(now / 1000);
    // Valid for 30 h, so that it outlives the day the key set is kept.
    const token = await signToken(
      signer,
      userClaims(emulator, { iat: seconds, nbf: seconds, exp: seconds + 30 * 3600 }),
    );
    expect(await validator.verify(token, keepAll)).toHaveProperty("caller");
    await emulator.control.rotateSigningKeys({ retire: true });
    try {
      expect(await validator.verify(token, keepAll)).toHaveProperty("caller"); // the set is fresh
      now += 25 * 3600_000;
      // The first request after a day starts the background read; the held set serves meanwhile.
      emulator.control.resetCounts();
      expect(await validator.verify(token, keepAll)).toHaveProperty("caller");
      await metadata.signingKeys(true); // shares the background read under way
      expect(emulator.control.counts().keys).toBe(1);
      expect(await validator.verify(token, keepAll)).toMatchObject({ reason: "key_unknown" });
    } finally {
      key = await activeSigningKey(dataDir);
    }
  });
});
