import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { signInWithoutBrowser, trustingNetworkClient } from "@entrance/emulator/testing";
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

  it("a route naming its apps takes app-only tokens of those apps only", async () => {
    const daemon = await daemonToken(emulator);
    const named = entrance.guard(
      bearerGuard({ roles: [defaults.daemonRole], apps: [defaults.daemonApp.toUpperCase()] }),
    );
    expect((await callApi(entrance, named, `Bearer ${daemon}`)).answer).toBeNull();
    const others = entrance.guard(
      bearerGuard({ roles: [defaults.daemonRole], apps: ["0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a"] }),
    );
    await expectForbidden(
      (await callApi(entrance, others, `Bearer ${daemon}`)).answer,
      "caller_kind",
    );
    expect(() => bearerGuard({ roles: ["A"], apps: ["not-a-client-id"] })).toThrow(/client id/);
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
