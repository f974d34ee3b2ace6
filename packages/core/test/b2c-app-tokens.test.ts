/**
 * App-only tokens in an Azure AD B2C app, against the emulator's B2C tenant: `getAppToken` gets
 * one through MSAL Node at the sign-up/sign-in policy's token endpoint, and `requireBearer` at the
 * B2C API tells an app's token (its application permissions in `scp`, as B2C writes them) from a
 * customer's by the route's `roles` and `scopes`, and refuses to be built where it cannot.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearerGuard,
  createEntrance,
  createMemoryStore,
  type EntranceOptions,
  trustCertificateAuthority,
} from "../src/index.js";
import { b2cAccessClaims } from "./support/b2c.js";
import { activeSigningKey, callApi, signToken } from "./support/bearer.js";
import { APP_BASE, SECRET } from "./support/emulated.js";

const B2C = defaults.b2c;
/** The B2C reference app's API, as B2C names it for client credentials. */
const API_DEFAULT = `https://${B2C.domain}/${B2C.webApp}/.default`;
/** A daemon of the B2C tenant granted the API's `Orders.Sync` app role; another granted nothing. */
const DAEMON = "b2c0da3e-0000-4000-8000-00000000d001";
const DAEMON_SECRET = "b2c-daemon-core-test-secret-0123456789";
const BARE = "b2c0da3e-0000-4000-8000-00000000d002";
const BARE_SECRET = "b2c-bare-core-test-secret-0123456789";

let emulator: RunningEmulator;
let dataDir: string;
let key: Awaited<ReturnType<typeof activeSigningKey>>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-b2c-app-tokens-"));
  emulator = await startEmulator({ dataDir });
  key = await activeSigningKey(dataDir);
  const api = emulator.directory.app(B2C.webApp)?.value;
  emulator.control.putApp(B2C.tenant, {
    ...api,
    clientId: B2C.webApp,
    displayName: api?.displayName ?? "Entrance reference app (B2C)",
    appRoles: [
      {
        id: "b2c0da3e-0000-4000-8000-0000000000a1",
        value: "Orders.Sync",
        displayName: "Synchronise orders",
        allowedMemberTypes: ["Application"],
      },
    ],
  });
  emulator.control.putApp(B2C.tenant, {
    clientId: DAEMON,
    displayName: "Order sync (B2C daemon)",
    secrets: [DAEMON_SECRET],
    applicationPermissions: { [B2C.webApp]: ["Orders.Sync"] },
  });
  emulator.control.putApp(B2C.tenant, {
    clientId: BARE,
    displayName: "Ungranted daemon",
    secrets: [BARE_SECRET],
  });
});
afterAll(async () => {
  await emulator?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** An app of the B2C tenant, configured as any B2C app is: tenant, host, sign-up/sign-in policy. */
function b2cApp(clientId: string, clientSecret: string, overrides: Partial<EntranceOptions> = {}) {
  return createEntrance({
    tenantId: B2C.domain,
    clientId,
    clientSecret,
    authorityHost: emulator.urls.https,
    baseUrl: APP_BASE,
    secrets: [SECRET],
    trust: trustCertificateAuthority(emulator.caCertPem),
    env: {},
    store: createMemoryStore(),
    b2c: { signUpSignIn: B2C.signUpSignIn },
    ...overrides,
  });
}

const api = () => b2cApp(B2C.webApp, B2C.webAppSecret);

/** A customer's access token for the API's delegated scope, as B2C issues it. */
function customerToken() {
  return signToken(key, b2cAccessClaims(emulator));
}

async function reasonOf(answer: Response | null): Promise<string | undefined> {
  const body = (await answer?.json()) as { reason?: string } | undefined;
  return body?.reason;
}

describe("app-only tokens in an Azure AD B2C app", () => {
  it("getAppToken asks the sign-up/sign-in policy's token endpoint, through MSAL Node, and keeps the token", async () => {
    const daemon = b2cApp(DAEMON, DAEMON_SECRET);
    const first = await daemon.getAppToken(API_DEFAULT);
    expect(decodeJwt(first.token)).toMatchObject({
      iss: `${emulator.urls.https}/${B2C.tenant}/v2.0/`,
      aud: B2C.webApp,
      azp: DAEMON,
      scp: "Orders.Sync",
      tfp: B2C.signUpSignIn,
    });
    expect((await daemon.getAppToken(API_DEFAULT)).token).toBe(first.token);
  });

  it("getAppToken passes on B2C's refusal of a scope that is no API's /.default", async () => {
    const daemon = b2cApp(DAEMON, DAEMON_SECRET);
    await expect(
      daemon.getAppToken(`https://${B2C.domain}/${B2C.webApp}/Orders.Read`),
    ).rejects.toMatchObject({
      code: "token_request_failed",
      message: expect.stringContaining("AADB2C90117"),
    });
  });

  it("appGraph refuses with b2c_graph_unsupported before asking: a policy gives no Graph tokens", () => {
    const daemon = b2cApp(DAEMON, DAEMON_SECRET);
    expect(() => daemon.appGraph()).toThrow(
      expect.objectContaining({ code: "b2c_graph_unsupported" }),
    );
  });

  it("requireBearer with roles takes a daemon's real token as the app: its scp read as roles", async () => {
    const { token } = await b2cApp(DAEMON, DAEMON_SECRET).getAppToken(API_DEFAULT);
    const entrance = api();
    const guard = entrance.guard(bearerGuard({ roles: ["Orders.Sync"], apps: [DAEMON] }));
    const { answer, context } = await callApi(entrance, guard, `Bearer ${token}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({
      kind: "app",
      tenantId: B2C.tenant,
      objectId: decodeJwt(token).sub,
      appId: DAEMON,
      roles: ["Orders.Sync"],
      scopes: [],
    });
    // A customer's token is not an app's, whatever it holds.
    const customer = await customerToken();
    const refused = (await callApi(entrance, guard, `Bearer ${customer}`)).answer;
    expect(refused?.status).toBe(403);
    expect(await reasonOf(refused)).toBe("caller_kind");
  });

  it("a route for customers refuses the daemon's token; a route for both tells them apart", async () => {
    const { token } = await b2cApp(DAEMON, DAEMON_SECRET).getAppToken(API_DEFAULT);
    const customer = await customerToken();
    const entrance = api();
    const customers = entrance.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const refused = (await callApi(entrance, customers, `Bearer ${token}`)).answer;
    expect(refused?.status).toBe(403);
    expect(await reasonOf(refused)).toBe("scope");
    const both = entrance.guard(
      bearerGuard({ scopes: ["Orders.Read"], roles: ["Orders.Sync"], apps: [DAEMON] }),
    );
    const asApp = await callApi(entrance, both, `Bearer ${token}`);
    expect(asApp.answer).toBeNull();
    expect(asApp.context.caller).toMatchObject({ kind: "app", appId: DAEMON });
    const asCustomer = await callApi(entrance, both, `Bearer ${customer}`);
    expect(asCustomer.answer).toBeNull();
    expect(asCustomer.context.caller).toMatchObject({
      kind: "user",
      objectId: B2C.customer,
      scopes: ["Orders.Read"],
      roles: [],
    });
  });

  it("refuses an app token short of all the roles asked, and one of a policy the API does not use", async () => {
    const { token } = await b2cApp(DAEMON, DAEMON_SECRET).getAppToken(API_DEFAULT);
    const entrance = api();
    const all = entrance.guard(
      bearerGuard({ roles: ["Orders.Sync", "Orders.Purge"], match: "all", apps: [DAEMON] }),
    );
    const short = (await callApi(entrance, all, `Bearer ${token}`)).answer;
    expect(short?.status).toBe(403);
    expect(await reasonOf(short)).toBe("role");
    // The daemon asked the password-reset policy's endpoint, which this API is not configured with.
    const elsewhere = await b2cApp(DAEMON, DAEMON_SECRET, {
      b2c: { signUpSignIn: B2C.passwordReset },
    }).getAppToken(API_DEFAULT);
    expect(decodeJwt(elsewhere.token).tfp).toBe(B2C.passwordReset);
    const guard = entrance.guard(bearerGuard({ roles: ["Orders.Sync"], apps: [DAEMON] }));
    const answer = (await callApi(entrance, guard, `Bearer ${elsewhere.token}`)).answer;
    expect(answer?.status).toBe(401);
    expect(await reasonOf(answer)).toBe("policy");
  });

  it("refuses the token of an app granted nothing (no scp)", async () => {
    const { token } = await b2cApp(BARE, BARE_SECRET).getAppToken(API_DEFAULT);
    expect(decodeJwt(token)).not.toHaveProperty("scp");
    const entrance = api();
    const guard = entrance.guard(bearerGuard({ roles: ["Orders.Sync"], apps: [DAEMON] }));
    const answer = (await callApi(entrance, guard, `Bearer ${token}`)).answer;
    expect(answer?.status).toBe(401);
    expect(await reasonOf(answer)).toBe("claims");
  });

  it("a customer's scope named like an app role does not make the customer an app, nor a daemon's permission a customer", async () => {
    // The API's delegated scope and an app role for daemons share the value Orders.Read.
    const { token } = await b2cApp(DAEMON, DAEMON_SECRET).getAppToken(API_DEFAULT);
    const customer = await customerToken();
    expect(decodeJwt(customer).scp).toBe("Orders.Read");
    const entrance = api();
    const daemons = entrance.guard(bearerGuard({ roles: ["Orders.Read"], apps: [DAEMON] }));
    const asApp = (await callApi(entrance, daemons, `Bearer ${customer}`)).answer;
    expect(asApp?.status).toBe(403);
    expect(await reasonOf(asApp)).toBe("caller_kind");
    const both = entrance.guard(
      bearerGuard({ scopes: ["Orders.Sync"], roles: ["Orders.Read"], apps: [DAEMON] }),
    );
    // The daemon holds Orders.Sync as an app permission: on this route it is still the app, short
    // of the role, never a customer holding the scope.
    const daemon = await callApi(entrance, both, `Bearer ${token}`);
    expect(daemon.answer?.status).toBe(403);
    expect(await reasonOf(daemon.answer)).toBe("role");
    const person = await callApi(entrance, both, `Bearer ${customer}`);
    expect(person.answer?.status).toBe(403);
    expect(await reasonOf(person.answer)).toBe("scope");
  });

  it("reads the token of an app the route does not name as a customer's", async () => {
    const { token } = await b2cApp(DAEMON, DAEMON_SECRET).getAppToken(API_DEFAULT);
    const entrance = api();
    const guard = entrance.guard(
      bearerGuard({ scopes: ["Orders.Read"], roles: ["Orders.Sync"], apps: [BARE] }),
    );
    // The daemon holds Orders.Sync, but this route names another app: its token is no app's here,
    // and as a customer's it lacks the delegated scope.
    const answer = await callApi(entrance, guard, `Bearer ${token}`);
    expect(answer.answer?.status).toBe(403);
    expect(await reasonOf(answer.answer)).toBe("scope");
    expect(() => entrance.guard(bearerGuard({ scopes: ["Orders.Read"], apps: [DAEMON] }))).toThrow(
      /callers: "app" or "any"/,
    );
  });

  it("refuses to build a customers' route without scopes, where a daemon's token would pass as a customer's", () => {
    const entrance = api();
    expect(() => entrance.guard(bearerGuard())).toThrow(
      expect.objectContaining({ code: "config_invalid", message: expect.stringMatching(/scp/) }),
    );
    expect(() => entrance.guard(bearerGuard({ callers: "any", roles: ["Orders.Sync"] }))).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
    // A route for daemons must name them: the names in scp cannot tell them from customers.
    expect(() => entrance.guard(bearerGuard({ roles: ["Orders.Sync"] }))).toThrow(
      expect.objectContaining({ code: "config_invalid", message: expect.stringMatching(/apps/) }),
    );
  });
});
