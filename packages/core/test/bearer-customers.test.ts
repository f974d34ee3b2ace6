/**
 * `requireBearer` in customer apps, against the emulator: an Azure AD B2C API takes the B2C access
 * tokens its policies issue (issuer with B2C's trailing slash, `ver` "1.0", a `nonce`, often no
 * `tid`) and refuses a workforce token, another tenant's, and a token of a policy it is not
 * configured with; an Entra External ID API takes its tenant's v2.0 tokens, refuses a workforce
 * tenant's, and refuses to be built for v1.0 tokens. Tokens of the wrong kind are signed with the
 * emulator's real key.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  defaults,
  externalDefaults,
  type RunningEmulator,
  startEmulator,
} from "@entrance/emulator";
import { openB2cPage, signInWithoutBrowser, submitB2cForm } from "@entrance/emulator/testing";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearerGuard,
  createEntrance,
  createMemoryStore,
  type EntranceOptions,
  trustCertificateAuthority,
} from "../src/index.js";
import { activeSigningKey, callApi, signToken, userClaims } from "./support/bearer.js";
import { APP_BASE, browse, CookieJar, entranceFor, fresh, SECRET } from "./support/emulated.js";

const B2C = defaults.b2c;
/** The B2C app's API scope, under its App ID URI as B2C writes it. */
const B2C_SCOPE = `https://${B2C.domain}/${B2C.webApp}/Orders.Read`;
const CUSTOMERS = `${externalDefaults.subdomain}.onmicrosoft.com`;
/** An API registered in the External ID tenant for these tests. */
const CUSTOMERS_API = "e0a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b";
const CUSTOMERS_API_SECRET = "customers-api-test-secret-0123456789";

let emulator: RunningEmulator;
let dataDir: string;
let key: Awaited<ReturnType<typeof activeSigningKey>>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-bearer-customers-"));
  emulator = await startEmulator({ dataDir });
  key = await activeSigningKey(dataDir);
});
afterAll(async () => {
  await emulator?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function b2cApp(overrides: Partial<EntranceOptions> = {}) {
  return createEntrance({
    tenantId: B2C.domain,
    clientId: B2C.webApp,
    clientSecret: B2C.webAppSecret,
    authorityHost: emulator.urls.https,
    baseUrl: APP_BASE,
    secrets: [SECRET],
    trust: trustCertificateAuthority(emulator.caCertPem),
    env: {},
    store: createMemoryStore(),
    b2c: { signUpSignIn: B2C.signUpSignIn, editProfile: B2C.profileEdit },
    ...overrides,
  });
}

/** A customer's real access token for the B2C app's API: signed in through the policy's pages. */
async function b2cAccessToken(): Promise<string> {
  const entrance = b2cApp({ scopes: [B2C_SCOPE] });
  const jar = new CookieJar();
  const started = await browse(entrance, jar, "/auth/login?returnTo=%2F");
  const url = started.headers.get("location") ?? "";
  const page = await openB2cPage(emulator, url);
  const back = await submitB2cForm(emulator, page, url, {
    email: B2C.customerEmail,
    password: B2C.customerPassword,
  });
  expect((await browse(entrance, jar, back.location ?? "")).status).toBe(302);
  const user = { tenantId: B2C.tenant, objectId: B2C.customer };
  return (await entrance.getAccessToken(user, [B2C_SCOPE])).token;
}

/** A B2C access token's claims, as Microsoft's B2C documentation shows one (no `tid`). */
function b2cClaims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: `${emulator.urls.https}/${B2C.tenant}/v2.0/`,
    exp: now + 3600,
    nbf: now,
    aud: B2C.webApp,
    oid: B2C.customer,
    sub: B2C.customer,
    name: "Ada Customer",
    tfp: B2C.signUpSignIn,
    nonce: "any-nonce",
    scp: "Orders.Read",
    azp: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    ver: "1.0",
    iat: now,
    ...overrides,
  };
}

async function reasonOf(answer: Response | null): Promise<string | undefined> {
  expect(answer?.status).toBe(401);
  const body = (await answer?.json()) as { reason?: string } | undefined;
  return body?.reason;
}

describe("requireBearer at an Azure AD B2C API", () => {
  it("accepts a customer's real access token for its scope: B2C's issuer, ver 1.0, a nonce", async () => {
    const token = await b2cAccessToken();
    expect(decodeJwt(token)).toMatchObject({
      iss: `${emulator.urls.https}/${B2C.tenant}/v2.0/`,
      ver: "1.0",
      aud: B2C.webApp,
      scp: "Orders.Read",
      tfp: B2C.signUpSignIn,
      nonce: expect.any(String),
    });
    const api = b2cApp();
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const { answer, context } = await callApi(api, guard, `Bearer ${token}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({
      kind: "user",
      tenantId: B2C.tenant,
      objectId: B2C.customer,
      appId: B2C.webApp,
      scopes: ["Orders.Read"],
      version: 2,
    });
    const other = api.guard(bearerGuard({ scopes: ["Orders.Write"] }));
    expect((await callApi(api, other, `Bearer ${token}`)).answer?.status).toBe(403);
  });

  it("accepts B2C's documented shape without tid (the tenant from the issuer), and a token of another configured policy", async () => {
    const api = b2cApp();
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const plain = await signToken(key, b2cClaims());
    const { answer, context } = await callApi(api, guard, `Bearer ${plain}`);
    expect(answer).toBeNull();
    expect(context.caller?.tenantId).toBe(B2C.tenant);
    const profile = await signToken(key, b2cClaims({ tfp: undefined, acr: B2C.profileEdit }));
    expect((await callApi(api, guard, `Bearer ${profile}`)).answer).toBeNull();
  });

  it("refuses a token of a policy the app is not configured with", async () => {
    const api = b2cApp();
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    for (const policy of [B2C.passwordReset, "B2C_1A_elsewhere"]) {
      const token = await signToken(key, b2cClaims({ tfp: policy }));
      expect(await reasonOf((await callApi(api, guard, `Bearer ${token}`)).answer)).toBe("policy");
    }
    const none = await signToken(key, b2cClaims({ tfp: undefined }));
    expect(await reasonOf((await callApi(api, guard, `Bearer ${none}`)).answer)).toBe("claims");
  });

  it("refuses a workforce token, another tenant's, and a tid that is not the issuer's tenant", async () => {
    const api = b2cApp();
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const workforce = await signToken(key, userClaims(emulator, { aud: B2C.webApp }));
    // No policy claim: not a B2C token at all.
    expect(await reasonOf((await callApi(api, guard, `Bearer ${workforce}`)).answer)).toBe(
      "claims",
    );
    const workforceShaped = await signToken(
      key,
      b2cClaims({ iss: `${emulator.urls.https}/${B2C.tenant}/v2.0` }),
    );
    expect(await reasonOf((await callApi(api, guard, `Bearer ${workforceShaped}`)).answer)).toBe(
      "issuer",
    );
    const otherTenant = await signToken(
      key,
      b2cClaims({ iss: `${emulator.urls.https}/${defaults.contoso}/v2.0/` }),
    );
    expect(await reasonOf((await callApi(api, guard, `Bearer ${otherTenant}`)).answer)).toBe(
      "issuer",
    );
    const otherTid = await signToken(key, b2cClaims({ tid: defaults.contoso }));
    expect(await reasonOf((await callApi(api, guard, `Bearer ${otherTid}`)).answer)).toBe("issuer");
  });

  it("refuses an ID token and the app's token to itself (no scp)", async () => {
    const api = b2cApp();
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const idToken = await signToken(key, b2cClaims({ scp: undefined, azp: undefined }));
    expect(await reasonOf((await callApi(api, guard, `Bearer ${idToken}`)).answer)).toBe("claims");
  });

  it("is refused at a workforce API", async () => {
    const { entrance } = fresh(emulator);
    const guard = entrance.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const token = await signToken(key, b2cClaims({ aud: defaults.webApp, tid: B2C.tenant }));
    expect((await callApi(entrance, guard, `Bearer ${token}`)).answer?.status).toBe(401);
  });
});

describe("requireBearer at an Entra External ID API", () => {
  function customersApi() {
    return entranceFor(emulator, createMemoryStore(), {
      tenantId: CUSTOMERS,
      clientId: CUSTOMERS_API,
      clientSecret: CUSTOMERS_API_SECRET,
      env: { ENTRANCE_EXTERNAL_ID: "true" },
      authorization: { trustedTenants: [externalDefaults.tenant] },
    });
  }

  beforeAll(() => {
    emulator.control.putApp(CUSTOMERS, {
      clientId: CUSTOMERS_API,
      displayName: "Orders API (customers)",
      secrets: [CUSTOMERS_API_SECRET],
      exposedScopes: ["Orders.Read"],
      groupMembershipClaims: "None",
    });
  });

  it("accepts a customer's real v2.0 token for its scope", async () => {
    const { accessToken } = await signInWithoutBrowser(emulator, {
      tenant: CUSTOMERS,
      clientId: externalDefaults.app,
      clientSecret: externalDefaults.appSecret,
      user: externalDefaults.customer,
      scopes: [`api://${CUSTOMERS_API}/Orders.Read`],
    });
    expect(decodeJwt(accessToken)).toMatchObject({
      iss: `${emulator.urls.https}/${externalDefaults.tenant}/v2.0`,
      ver: "2.0",
    });
    const api = customersApi();
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const { answer, context } = await callApi(api, guard, `Bearer ${accessToken}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({
      tenantId: externalDefaults.tenant,
      objectId: externalDefaults.customer,
      appId: externalDefaults.app,
      version: 2,
    });
  });

  it("refuses a workforce tenant's token, and the customers' token at a workforce API", async () => {
    const api = customersApi();
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const workforce = await signToken(key, userClaims(emulator, { aud: CUSTOMERS_API }));
    expect(await reasonOf((await callApi(api, guard, `Bearer ${workforce}`)).answer)).toBe(
      "tenant",
    );
    const { entrance } = fresh(emulator);
    const workforceRoute = entrance.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const customer = await signToken(
      key,
      userClaims(emulator, {
        iss: `${emulator.urls.https}/${externalDefaults.tenant}/v2.0`,
        tid: externalDefaults.tenant,
        oid: externalDefaults.customer,
      }),
    );
    expect(
      await reasonOf((await callApi(entrance, workforceRoute, `Bearer ${customer}`)).answer),
    ).toBe("tenant");
  });

  it("refuses a ciamlogin.com issuer at a workforce API, whatever its tenant", async () => {
    const { entrance } = fresh(emulator);
    const guard = entrance.guard(
      bearerGuard({ scopes: ["Orders.Read"], tenants: [defaults.contoso] }),
    );
    const token = await signToken(
      key,
      userClaims(emulator, {
        iss: `https://${defaults.contoso}.ciamlogin.com/${defaults.contoso}/v2.0`,
      }),
    );
    expect(await reasonOf((await callApi(entrance, guard, `Bearer ${token}`)).answer)).toBe(
      "issuer",
    );
  });

  it("accepts v2.0 only: a route for v1.0 tokens is refused where it is written, a v1.0 token at the default route", async () => {
    const api = customersApi();
    expect(() => api.guard(bearerGuard({ versions: [1, 2] }))).toThrow(
      expect.objectContaining({ code: "config_invalid", message: expect.stringMatching(/v2\.0/) }),
    );
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const v1 = await signToken(
      key,
      userClaims(emulator, {
        aud: `api://${CUSTOMERS_API}`,
        iss: `https://sts.windows.net/${externalDefaults.tenant}/`,
        tid: externalDefaults.tenant,
        appid: externalDefaults.app,
        azp: undefined,
        ver: "1.0",
      }),
    );
    const answer = (await callApi(api, guard, `Bearer ${v1}`)).answer;
    expect(await reasonOf(answer)).toBe("version");
  });
});
