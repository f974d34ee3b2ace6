import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import { request, signInWithoutBrowser } from "../src/testing/index.js";
import { tokenRequest } from "./support/flow.js";

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
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe("faults", () => {
  it("answers the next token request with the queued status, then normally", async () => {
    const signIn = await signInWithoutBrowser(emulator, { user: "lee@contoso.onmicrosoft.com" });
    emulator.control.queueFault("token", {
      kind: "status",
      status: 503,
      body: { error: "temporarily_unavailable" },
    });
    const refresh = {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: "openid",
    };
    const failed = await tokenRequest(emulator, refresh);
    expect(failed.status).toBe(503);
    expect(failed.json()).toEqual({ error: "temporarily_unavailable" });
    expect((await tokenRequest(emulator, refresh)).status).toBe(200);
  });

  it("sends a malformed body, drops the connection, or answers late", async () => {
    const discovery = `${emulator.urls.https}/organizations/v2.0/.well-known/openid-configuration`;
    emulator.control.queueFault("discovery", { kind: "malformed" });
    const malformed = await request(discovery, { ca: emulator.caCertPem });
    expect(() => malformed.json()).toThrow(SyntaxError);

    emulator.control.queueFault("discovery", { kind: "drop" });
    await expect(request(discovery, { ca: emulator.caCertPem })).rejects.toThrow();

    emulator.control.queueFault("discovery", { kind: "delay", ms: 300 });
    const slow = request(discovery, { ca: emulator.caCertPem, timeoutMs: 100 });
    await expect(slow).rejects.toThrow(/timed out/);
  });

  it("counts requests per endpoint and per grant type", async () => {
    emulator.control.resetCounts();
    const signIn = await signInWithoutBrowser(emulator, { user: "lee@contoso.onmicrosoft.com" });
    await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: "openid",
    });
    expect(emulator.control.counts()).toMatchObject({
      authorize: 1,
      "sign-in": 1,
      token: 2,
      "token:authorization_code": 1,
      "token:refresh_token": 1,
    });
  });
});

describe("HTTP control interface", () => {
  it("refuses calls without the control key", async () => {
    const res = await control("GET", "/counts", undefined, "wrong");
    expect(res.status).toBe(401);
  });

  it("adds a user who can then sign in, and revokes their refresh tokens", async () => {
    const id = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    const added = await control("PUT", "/tenants/contoso.onmicrosoft.com/users", {
      id,
      userPrincipalName: "new.person@contoso.onmicrosoft.com",
      displayName: "New Person",
    });
    expect(added.status).toBe(200);
    const signIn = await signInWithoutBrowser(emulator, {
      user: "new.person@contoso.onmicrosoft.com",
    });
    const revoked = await control("POST", `/users/${id}/revoke`);
    expect(revoked.json()).toEqual({ revoked: 1 });
    const res = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: "openid",
    });
    expect(res.json()).toMatchObject({ error_codes: [50173] });
  });

  it("says which field of a user is wrong", async () => {
    const res = await control("PUT", "/tenants/contoso.onmicrosoft.com/users", {
      id: "not-a-guid",
      userPrincipalName: "x@contoso.onmicrosoft.com",
      displayName: "X",
    });
    expect(res.status).toBe(400);
    expect(res.json<{ error_description: string }>().error_description).toMatch(
      /users\[\d+\]\.id: must be a lower-case GUID/,
    );
  });

  it("queues faults and shifts the clock", async () => {
    expect(
      (
        await control("POST", "/faults", {
          endpoint: "keys",
          fault: { kind: "status", status: 500 },
        })
      ).status,
    ).toBe(200);
    const keys = await request(`${emulator.urls.https}/common/discovery/v2.0/keys`, {
      ca: emulator.caCertPem,
    });
    expect(keys.status).toBe(500);
    expect(
      (await control("POST", "/faults", { endpoint: "nowhere", fault: { kind: "drop" } })).status,
    ).toBe(400);

    const signIn = await signInWithoutBrowser(emulator, { user: defaults.users.member });
    await control("POST", "/clock", { shiftSeconds: 100 * 86_400 });
    const res = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: "openid",
    });
    await control("POST", "/clock", { shiftSeconds: -100 * 86_400 });
    expect(res.json()).toMatchObject({ error_codes: [700082] });
  });
});
