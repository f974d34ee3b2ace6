import { createLocalJWKSet, decodeJwt, type JWTPayload, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, GRAPH_APP_ID, type RunningEmulator, startEmulator } from "../src/index.js";
import { clientCredentialsToken, request } from "../src/testing/index.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

type TokenError = { error: string; error_codes: number[]; error_description: string };

/** A client credentials request as the built-in daemon (its secret in the body). */
function daemonToken(fields: Record<string, string>, tenant = "contoso.onmicrosoft.com") {
  return request(`${emulator.urls.https}/${tenant}/oauth2/v2.0/token`, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: defaults.daemonApp,
      client_secret: defaults.daemonSecret,
      ...fields,
    }),
  });
}

async function verify(token: string, issuer: string, audience: string): Promise<JWTPayload> {
  const keys = await request(`${emulator.urls.https}/${defaults.contoso}/discovery/v2.0/keys`, {
    ca: emulator.caCertPem,
  });
  return (
    await jwtVerify(token, createLocalJWKSet(keys.json()), {
      issuer,
      audience,
      algorithms: ["RS256"],
    })
  ).payload;
}

describe("client credentials", () => {
  it("gives an app-only v2.0 token for api://{id}/.default with the roles the client holds", async () => {
    const res = await daemonToken({ scope: `api://${defaults.webApp}/.default` });
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toContain("no-store");
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600, ext_expires_in: 3600 });
    expect(body.refresh_token).toBeUndefined();
    expect(body.id_token).toBeUndefined();
    const claims = await verify(
      String(body.access_token),
      `${emulator.urls.https}/${defaults.contoso}/v2.0`,
      defaults.webApp,
    );
    expect(claims).toMatchObject({
      ver: "2.0",
      idtyp: "app",
      azp: defaults.daemonApp,
      azpacr: "1",
      roles: [defaults.daemonRole],
      tid: defaults.contoso,
    });
    expect(claims.scp).toBeUndefined();
    expect(claims.oid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.sub).toBe(claims.oid);
    expect(claims.oid).not.toBe(defaults.daemonApp);
  });

  it("takes the resource as {id}/.default, the secret by HTTP Basic, and the tenant by GUID", async () => {
    const basic = Buffer.from(`${defaults.daemonApp}:${defaults.daemonSecret}`).toString("base64");
    const res = await request(`${emulator.urls.https}/${defaults.contoso}/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        scope: `${defaults.webApp}/.default`,
      }),
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.json<{ access_token: string }>().access_token)).toMatchObject({
      aud: defaults.webApp,
      roles: [defaults.daemonRole],
    });
  });

  it("gives a v1.0 token for Microsoft Graph with its application permissions", async () => {
    const res = await daemonToken({ scope: "https://graph.microsoft.com/.default" });
    const claims = await verify(
      res.json<{ access_token: string }>().access_token,
      `https://sts.windows.net/${defaults.contoso}/`,
      GRAPH_APP_ID,
    );
    expect(claims).toMatchObject({
      ver: "1.0",
      idtyp: "app",
      appid: defaults.daemonApp,
      appidacr: "1",
      roles: ["User.Read.All"],
    });
  });

  it("leaves roles out for an app granted nothing on the API, and follows accessTokenAcceptedVersion 1", async () => {
    const legacy = "4e4f4a4b-5c5d-4e6f-8a7b-8c9d0e1f2a3b";
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: legacy,
      displayName: "Legacy API",
      accessTokenAcceptedVersion: 1,
      appRoles: [
        {
          id: "5f5a5b5c-6d6e-4f7a-9b8c-9d0e1f2a3b4c",
          value: "Legacy.Sync",
          displayName: "Sync",
          allowedMemberTypes: ["Application"],
        },
      ],
    });
    const none = await daemonToken({ scope: `api://${legacy}/.default` });
    const claims = await verify(
      none.json<{ access_token: string }>().access_token,
      `https://sts.windows.net/${defaults.contoso}/`,
      `api://${legacy}`,
    );
    expect(claims).toMatchObject({ ver: "1.0", idtyp: "app", appid: defaults.daemonApp });
    expect(claims.roles).toBeUndefined();

    const daemon = emulator.directory.app(defaults.daemonApp)?.value;
    if (!daemon) throw new Error("no built-in daemon");
    emulator.control.putApp("contoso.onmicrosoft.com", {
      ...daemon,
      applicationPermissions: { ...daemon.applicationPermissions, [legacy]: ["Legacy.Sync"] },
    });
    const granted = await daemonToken({ scope: `api://${legacy}/.default` });
    expect(decodeJwt(granted.json<{ access_token: string }>().access_token).roles).toEqual([
      "Legacy.Sync",
    ]);
  });

  it.each([
    ["a scope without /.default", { scope: `api://${defaults.webApp}/Orders.Read` }, 1002012],
    ["a Graph scope without /.default", { scope: "User.Read" }, 1002012],
    [
      "an unknown resource",
      { scope: "api://99999999-9999-4999-8999-999999999999/.default" },
      500011,
    ],
    [
      "two resources",
      { scope: `api://${defaults.webApp}/.default https://graph.microsoft.com/.default` },
      28000,
    ],
    ["no scope", {}, 900144],
    [
      "a wrong secret",
      {
        client_secret: "not-the-daemon-secret-0000",
        scope: "https://graph.microsoft.com/.default",
      },
      7000215,
    ],
  ] as const)("refuses %s", async (_, fields, code) => {
    const res = await daemonToken(fields);
    expect(res.status).toBe(code === 7000215 ? 401 : 400);
    const body = res.json<TokenError>();
    expect(body.error_codes).toEqual([code]);
    expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
  });

  it("needs a tenant, a known one, and a confidential client", async () => {
    const scope = "https://graph.microsoft.com/.default";
    expect((await daemonToken({ scope }, "organizations")).json<TokenError>().error_codes).toEqual([
      50059,
    ]);
    expect(
      (await daemonToken({ scope }, "nowhere.onmicrosoft.com")).json<TokenError>().error_codes,
    ).toEqual([90002]);
    const publicClient = "6a6b6c6d-7e7f-4a8b-8c9d-0e1f2a3b4c5d";
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: publicClient,
      displayName: "A public client",
    });
    const res = await request(`${emulator.urls.https}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: publicClient,
        scope,
      }),
    });
    expect(res.status).toBe(401);
    expect(res.json<TokenError>()).toMatchObject({
      error: "invalid_client",
      error_codes: [7000218],
    });
  });

  it("is what the clientCredentialsToken helper asks for, and it throws Entra's refusal", async () => {
    const { accessToken, expiresIn } = await clientCredentialsToken(emulator);
    expect(expiresIn).toBe(3600);
    expect(decodeJwt(accessToken)).toMatchObject({
      aud: defaults.webApp,
      azp: defaults.daemonApp,
      idtyp: "app",
      roles: [defaults.daemonRole],
    });
    await expect(
      clientCredentialsToken(emulator, { scope: "https://graph.microsoft.com/User.Read" }),
    ).rejects.toThrow(/AADSTS1002012/);
  });

  it("refuses a single-tenant app in another tenant (700016)", async () => {
    const res = await daemonToken(
      { scope: "https://graph.microsoft.com/.default" },
      "fabrikam.onmicrosoft.com",
    );
    expect(res.json<TokenError>()).toMatchObject({
      error: "unauthorized_client",
      error_codes: [700016],
    });
  });
});
