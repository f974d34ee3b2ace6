import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DirectoryConfig,
  defaults,
  type RunningEmulator,
  startEmulator,
} from "../src/index.js";
import { request, signInWithoutBrowser } from "../src/testing/index.js";
import { tokenRequest } from "./support/flow.js";

/**
 * Every route of the control interface, over real HTTP with the control key, as a test in
 * another process drives it. Each route's effect is checked through the emulator's own endpoints.
 */
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

function control(method: string, path: string, body?: unknown, key = emulator.controlKey) {
  return request(`${emulator.urls.https}/_emulator/control${path}`, {
    method,
    ca: emulator.caCertPem,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

const ROUTES = [
  ["GET", "/directory"],
  ["PUT", "/tenants/contoso.onmicrosoft.com/users"],
  ["DELETE", "/users/nobody@contoso.onmicrosoft.com"],
  ["PUT", "/tenants/contoso.onmicrosoft.com/apps"],
  ["POST", "/users/lee@contoso.onmicrosoft.com/revoke"],
  ["POST", "/users/lee@contoso.onmicrosoft.com/consent"],
  ["POST", "/keys/rotate"],
  ["POST", "/clock"],
  ["PATCH", "/lifetimes"],
  ["GET", "/counts"],
  ["DELETE", "/counts"],
  ["POST", "/faults"],
  ["DELETE", "/faults"],
] as const;

const refresh = (refreshToken: string, scope = "openid") =>
  tokenRequest(emulator, { grant_type: "refresh_token", refresh_token: refreshToken, scope });

describe("control interface over HTTP", () => {
  it.each(ROUTES)(
    "%s %s refuses a wrong key with 401 and changes nothing",
    async (method, path) => {
      const before = JSON.stringify(emulator.control.directory());
      const res = await control(method, path, {}, "not-the-control-key");
      expect(res.status).toBe(401);
      expect(JSON.stringify(emulator.control.directory())).toBe(before);
    },
  );

  it("GET /directory returns the directory served", async () => {
    const res = await control("GET", "/directory");
    expect(res.status).toBe(200);
    const directory = res.json<DirectoryConfig>();
    expect(directory.tenants.map((t) => t.domain)).toContain("contoso.onmicrosoft.com");
  });

  it("PUT …/users adds a user who can sign in; DELETE /users/{upn} removes them", async () => {
    const id = "abababab-cdcd-4efe-8a9b-0c1d2e3f4a5b";
    const upn = "visitor@contoso.onmicrosoft.com";
    const added = await control("PUT", "/tenants/contoso.onmicrosoft.com/users", {
      id,
      userPrincipalName: upn,
      displayName: "Visitor",
    });
    expect(added.json()).toMatchObject({ id, userPrincipalName: upn });
    const signIn = await signInWithoutBrowser(emulator, { user: upn });
    expect(decodeJwt(signIn.idToken).oid).toBe(id);

    expect((await control("DELETE", `/users/${upn}`)).json()).toEqual({ removed: true });
    expect(emulator.directory.user(id)).toBeUndefined();
    expect((await refresh(signIn.refreshToken)).json()).toMatchObject({ error_codes: [50173] });
    expect((await control("DELETE", `/users/${upn}`)).json()).toEqual({ removed: false });
  });

  it("PUT …/apps registers an app that can then get tokens", async () => {
    const clientId = "bcbcbcbc-dede-4f0f-9a1b-2c3d4e5f6a7b";
    const put = await control("PUT", "/tenants/contoso.onmicrosoft.com/apps", {
      clientId,
      displayName: "Registered over HTTP",
      secrets: ["registered-over-http-secret"],
      applicationPermissions: { [defaults.webApp]: [defaults.daemonRole] },
    });
    expect(put.status).toBe(200);
    const token = await request(`${emulator.urls.https}/${defaults.contoso}/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: "registered-over-http-secret",
        scope: `api://${defaults.webApp}/.default`,
      }),
    });
    expect(decodeJwt(token.json<{ access_token: string }>().access_token).roles).toEqual([
      defaults.daemonRole,
    ]);
  });

  it("POST /users/{user}/revoke revokes refresh tokens", async () => {
    const signIn = await signInWithoutBrowser(emulator, { user: "lee@contoso.onmicrosoft.com" });
    const res = await control("POST", "/users/lee@contoso.onmicrosoft.com/revoke");
    expect(res.json<{ revoked: number }>().revoked).toBeGreaterThanOrEqual(1);
    expect((await refresh(signIn.refreshToken)).json()).toMatchObject({ error_codes: [50173] });
  });

  it("POST /users/{user}/consent records consent the token endpoint then honours", async () => {
    const signIn = await signInWithoutBrowser(emulator, { user: "alex@contoso.onmicrosoft.com" });
    expect((await refresh(signIn.refreshToken, "Calendars.Read")).json()).toMatchObject({
      error_codes: [65001],
    });
    const res = await control("POST", "/users/alex@contoso.onmicrosoft.com/consent", {
      clientId: defaults.webApp,
      scopes: ["Calendars.Read"],
    });
    expect(res.status).toBe(200);
    expect((await refresh(signIn.refreshToken, "Calendars.Read")).status).toBe(200);
  });

  it("POST /keys/rotate signs with a new key, and retire drops the old ones from the JWKS", async () => {
    const keys = async () =>
      (
        await request(`${emulator.urls.https}/common/discovery/v2.0/keys`, {
          ca: emulator.caCertPem,
        })
      )
        .json<{ keys: { kid: string }[] }>()
        .keys.map((k) => k.kid);
    const before = await keys();
    const rotated = (await control("POST", "/keys/rotate", {})).json<{ kid: string }>().kid;
    expect(await keys()).toEqual([rotated, ...before].slice(0, 3));
    const retired = (await control("POST", "/keys/rotate", { retire: true })).json<{
      kid: string;
    }>().kid;
    expect(await keys()).toEqual([retired]);
  });

  it("POST /clock moves the emulator's clock", async () => {
    const signIn = await signInWithoutBrowser(emulator, { user: "megan@contoso.onmicrosoft.com" });
    expect((await control("POST", "/clock", { shiftSeconds: 91 * 86_400 })).status).toBe(200);
    const late = await refresh(signIn.refreshToken);
    await control("POST", "/clock", { shiftSeconds: -91 * 86_400 });
    expect(late.json()).toMatchObject({ error_codes: [700082] });
  });

  it("PATCH /lifetimes changes token lifetimes", async () => {
    const res = await control("PATCH", "/lifetimes", { accessToken: 120 });
    expect(res.json()).toMatchObject({ accessToken: 120 });
    const signIn = await signInWithoutBrowser(emulator, { user: "megan@contoso.onmicrosoft.com" });
    const token = decodeJwt(signIn.accessToken);
    await control("PATCH", "/lifetimes", { accessToken: 3600 });
    expect(Number(token.exp) - Number(token.iat)).toBe(120);
  });

  it("GET /counts counts requests; DELETE /counts resets them", async () => {
    await request(`${emulator.urls.https}/common/discovery/v2.0/keys`, { ca: emulator.caCertPem });
    expect((await control("GET", "/counts")).json<Record<string, number>>().keys).toBeGreaterThan(
      0,
    );
    const reset = await control("DELETE", "/counts");
    expect(reset.status).toBe(200);
    expect((await control("GET", "/counts")).json()).toEqual({});
  });

  it("POST /faults queues a fault; DELETE /faults clears the queue", async () => {
    const keysUrl = `${emulator.urls.https}/common/discovery/v2.0/keys`;
    const fault = { endpoint: "keys", fault: { kind: "status", status: 503 }, times: 2 };
    expect((await control("POST", "/faults", fault)).status).toBe(200);
    expect((await request(keysUrl, { ca: emulator.caCertPem })).status).toBe(503);
    const cleared = await control("DELETE", "/faults");
    expect(cleared.status).toBe(200);
    expect((await request(keysUrl, { ca: emulator.caCertPem })).status).toBe(200);
  });

  it("POST /faults with clientId answers that app's next token request with an Entra error", async () => {
    const res = await control("POST", "/faults", {
      endpoint: "token",
      clientId: defaults.daemonApp,
      fault: { kind: "error", error: "invalid_grant", aadsts: 50173, suberror: "bad_token" },
    });
    expect(res.status).toBe(200);
    const token = await request(`${emulator.urls.https}/${defaults.contoso}/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: defaults.daemonApp,
        client_secret: defaults.daemonSecret,
        scope: "https://graph.microsoft.com/.default",
      }),
    });
    expect(token.json()).toMatchObject({
      error: "invalid_grant",
      error_codes: [50173],
      suberror: "bad_token",
    });
    const elsewhere = await control("POST", "/faults", {
      endpoint: "keys",
      clientId: defaults.daemonApp,
      fault: { kind: "drop" },
    });
    expect(elsewhere.status).toBe(400);
  });

  it("answers 405 with Allow for a method no route of the path has", async () => {
    for (const [path, allow] of [
      ["/counts", "GET, DELETE, HEAD"],
      ["/faults", "POST, DELETE"],
      ["/directory", "GET, HEAD"],
      ["/lifetimes", "PATCH"],
    ] as const) {
      const res = await control("PUT", path, {});
      expect(res.status).toBe(405);
      expect(String(res.headers.allow).split(", ").sort()).toEqual(allow.split(", ").sort());
    }
  });

  it("answers 400 for a body that is not what the route takes, and 404 for no route", async () => {
    expect((await control("POST", "/clock", "{not json")).status).toBe(400);
    expect((await control("POST", "/clock", { shiftSeconds: "soon" })).status).toBe(400);
    expect((await control("GET", "/nothing-here")).status).toBe(404);
    expect((await control("DELETE", "/users/%E0%A4%A")).status).toBe(400);
  });
});
