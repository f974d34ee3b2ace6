import { createLocalJWKSet, decodeJwt, type JWTPayload, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import { request, signInWithoutBrowser } from "../src/testing/index.js";
import { tokenRequest } from "./support/flow.js";

/** A second app in contoso that exposes an API the built-in web app calls. */
const ORDERS_API = "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d";
/** The same API registered for v1.0 access tokens. */
const LEGACY_API = "1b1c1d1e-2f2a-4b3c-9d4e-5f6a7b8c9d0e";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
  for (const [clientId, version] of [
    [ORDERS_API, 2],
    [LEGACY_API, 1],
  ] as const) {
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId,
      displayName: `Orders API v${version}`,
      exposedScopes: ["Orders.Read", "Orders.Write"],
      appRoles: [
        {
          id:
            version === 2
              ? "2c2d2e2f-3a3b-4c4d-8e5f-6a7b8c9d0e1f"
              : "3d3e3f3a-4b4c-4d5e-9f6a-7b8c9d0e1f2a",
          value: "Orders.Admin",
          displayName: "Orders administrator",
        },
      ],
      accessTokenAcceptedVersion: version,
    });
    const lee = emulator.directory.user("lee@contoso.onmicrosoft.com")?.value;
    if (!lee) throw new Error("the built-in directory has no Lee");
    emulator.control.putUser("contoso.onmicrosoft.com", {
      ...lee,
      appRoles: { ...lee.appRoles, [clientId]: ["Orders.Admin"] },
    });
  }
});
afterAll(async () => {
  await emulator?.stop();
});

type TokenError = { error: string; error_codes: number[]; suberror?: string };

/** Signs a user (Lee) in to the web app with `scopes` consented, then asks for a token for `scope`. */
async function apiToken(
  consented: readonly string[],
  scope: string,
  user = "lee@contoso.onmicrosoft.com",
) {
  const signIn = await signInWithoutBrowser(emulator, {
    user,
    scopes: consented,
  });
  return tokenRequest(emulator, {
    grant_type: "refresh_token",
    refresh_token: signIn.refreshToken,
    scope,
  });
}

/** Verifies an access token against the tenant's published keys, as an API would. */
async function verify(token: string, issuer: string, audience: string): Promise<JWTPayload> {
  const keys = await request(`${emulator.urls.https}/${defaults.contoso}/discovery/v2.0/keys`, {
    ca: emulator.caCertPem,
  });
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(keys.json()), {
    issuer,
    audience,
    algorithms: ["RS256"],
  });
  expect(protectedHeader).toMatchObject({ typ: "JWT", alg: "RS256" });
  return payload;
}

describe("access tokens for an app's own API", () => {
  it("are v2.0 by default: aud the API's client id, azp the caller, scp and the user's roles of that API", async () => {
    const res = await apiToken(
      [`api://${ORDERS_API}/Orders.Read`],
      `api://${ORDERS_API}/Orders.Read`,
    );
    expect(res.status).toBe(200);
    const body = res.json<{ access_token: string; scope: string }>();
    expect(body.scope).toBe(`api://${ORDERS_API}/Orders.Read`);
    const claims = await verify(
      body.access_token,
      `${emulator.urls.https}/${defaults.contoso}/v2.0`,
      ORDERS_API,
    );
    expect(claims).toMatchObject({
      ver: "2.0",
      azp: defaults.webApp,
      azpacr: "1",
      scp: "Orders.Read",
      roles: ["Orders.Admin"],
      oid: defaults.users.member,
      tid: defaults.contoso,
    });
    expect(claims.appid).toBeUndefined();
    expect(typeof claims.uti).toBe("string");
    expect(typeof claims.sub).toBe("string");
    expect(claims.sub).not.toBe(defaults.users.member);
    expect(claims.nbf).toBe(claims.iat);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
  });

  it("accept the scope without api:// and as .default, which gives every scope granted for the API", async () => {
    const bare = await apiToken([`api://${ORDERS_API}/Orders.Read`], `${ORDERS_API}/Orders.Read`);
    expect(decodeJwt(bare.json<{ access_token: string }>().access_token).aud).toBe(ORDERS_API);

    const all = await apiToken(
      [`api://${ORDERS_API}/Orders.Read`, `api://${ORDERS_API}/Orders.Write`],
      `api://${ORDERS_API}/.default`,
    );
    const claims = decodeJwt(all.json<{ access_token: string }>().access_token);
    expect(String(claims.scp).split(" ").sort()).toEqual(["Orders.Read", "Orders.Write"]);
  });

  it("are v1.0 when the registration says accessTokenAcceptedVersion 1", async () => {
    const res = await apiToken(
      [`api://${LEGACY_API}/Orders.Read`],
      `api://${LEGACY_API}/Orders.Read`,
    );
    const claims = await verify(
      res.json<{ access_token: string }>().access_token,
      `https://sts.windows.net/${defaults.contoso}/`,
      `api://${LEGACY_API}`,
    );
    expect(claims).toMatchObject({
      ver: "1.0",
      appid: defaults.webApp,
      appidacr: "1",
      scp: "Orders.Read",
      roles: ["Orders.Admin"],
      oid: defaults.users.member,
      upn: "lee@contoso.onmicrosoft.com",
    });
    expect(claims.azp).toBeUndefined();
  });

  it("ask for consent for a scope the user has not granted, and for .default with nothing granted", async () => {
    // Alex has consented to nothing of either API in this file.
    const alex = "alex@contoso.onmicrosoft.com";
    const notGranted = await apiToken(["User.Read"], `api://${ORDERS_API}/Orders.Write`, alex);
    expect(notGranted.json<TokenError>()).toMatchObject({
      error: "invalid_grant",
      error_codes: [65001],
      suberror: "consent_required",
    });
    const nothing = await apiToken(["User.Read"], `api://${LEGACY_API}/.default`, alex);
    expect(nothing.json<TokenError>()).toMatchObject({ error_codes: [65001] });
  });

  it("refuse a scope the API does not expose (70011) and an API that does not exist (500011)", async () => {
    const unknownScope = await apiToken(["User.Read"], `api://${ORDERS_API}/Orders.Delete`);
    expect(unknownScope.json<TokenError>()).toMatchObject({
      error: "invalid_scope",
      error_codes: [70011],
    });
    const unknownApi = await apiToken(
      ["User.Read"],
      "api://99999999-9999-4999-8999-999999999999/Orders.Read",
    );
    expect(unknownApi.json<TokenError>()).toMatchObject({
      error: "invalid_resource",
      error_codes: [500011],
    });
  });
});
