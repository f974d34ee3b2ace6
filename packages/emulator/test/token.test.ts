import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, GRAPH_APP_ID, type RunningEmulator, startEmulator } from "../src/index.js";
import { pickAccount, request, signInWithoutBrowser } from "../src/testing/index.js";
import {
  authorizeUrl,
  REDIRECT_URI,
  redeem,
  responseParams,
  tokenRequest,
} from "./support/flow.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

async function codeFor(user: string, overrides: Record<string, string> = {}) {
  const { url, verifier } = authorizeUrl(emulator, overrides);
  const { location } = await pickAccount(emulator, url, { user });
  return { code: responseParams(location).get("code") ?? "", verifier };
}

type TokenError = {
  error: string;
  error_description: string;
  error_codes: number[];
  trace_id: string;
  correlation_id: string;
};

describe("authorization_code", () => {
  it("answers Entra's token response shape, with client_info and no-store", async () => {
    const { code, verifier } = await codeFor("megan@contoso.onmicrosoft.com");
    const res = await redeem(emulator, { code, code_verifier: verifier, client_info: "1" });
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toContain("no-store");
    const body = res.json<Record<string, string | number>>();
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600, ext_expires_in: 3600 });
    expect(String(body.scope).split(" ").sort()).toEqual([
      "User.Read",
      "email",
      "openid",
      "profile",
    ]);
    expect(typeof body.refresh_token).toBe("string");
    expect(JSON.parse(Buffer.from(String(body.client_info), "base64url").toString())).toEqual({
      uid: defaults.users.admin,
      utid: defaults.contoso,
    });
    const access = decodeJwt(String(body.access_token));
    expect(access).toMatchObject({
      aud: GRAPH_APP_ID,
      oid: defaults.users.admin,
      tid: defaults.contoso,
      appid: defaults.webApp,
    });
    expect(String(access.scp).split(" ")).toContain("User.Read");
  });

  it("accepts the client secret by HTTP Basic", async () => {
    const { code, verifier } = await codeFor("lee@contoso.onmicrosoft.com");
    const basic = Buffer.from(
      `${defaults.webApp}:${encodeURIComponent(defaults.webAppSecret)}`,
    ).toString("base64");
    const res = await request(`${emulator.urls.https}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI,
        scope: "openid User.Read",
      }),
    });
    expect(res.status).toBe(200);
  });

  it("shapes errors like Entra: AADSTS code, trace and correlation ids, 401 for a bad secret", async () => {
    const { code, verifier } = await codeFor("lee@contoso.onmicrosoft.com");
    const res = await redeem(emulator, {
      code,
      code_verifier: verifier,
      client_secret: "wrong-secret-wrong-secret",
    });
    expect(res.status).toBe(401);
    const body = res.json<TokenError>();
    expect(body.error).toBe("invalid_client");
    expect(body.error_codes).toEqual([7000215]);
    expect(body.error_description).toMatch(
      /^AADSTS7000215: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /s,
    );
  });

  it("refuses an expired code (AADSTS70008), a wrong redirect_uri and a missing verifier", async () => {
    const expired = await codeFor("lee@contoso.onmicrosoft.com");
    emulator.control.shiftClock(601);
    const late = await redeem(emulator, { code: expired.code, code_verifier: expired.verifier });
    emulator.control.shiftClock(-601);
    expect(late.json<TokenError>().error_codes).toEqual([70008]);

    const other = await codeFor("lee@contoso.onmicrosoft.com");
    const wrongUri = await redeem(emulator, {
      code: other.code,
      code_verifier: other.verifier,
      redirect_uri: "http://localhost:3000/",
    });
    expect(wrongUri.json<TokenError>().error).toBe("invalid_grant");

    const third = await codeFor("lee@contoso.onmicrosoft.com");
    const noVerifier = await redeem(emulator, { code: third.code });
    expect(noVerifier.json<TokenError>().error_codes).toEqual([900144]);
  });

  it("is served over https only", async () => {
    const res = await request(`${emulator.urls.http}/organizations/oauth2/v2.0/token`, {
      body: new URLSearchParams({ grant_type: "refresh_token" }),
    });
    expect(res.status).toBe(400);
    expect(res.text()).toContain("https only");
  });
});

describe("refresh_token", () => {
  it("returns a new refresh token each time, and old ones keep working until revoked", async () => {
    const signIn = await signInWithoutBrowser(emulator, {
      user: "alex@contoso.onmicrosoft.com",
      scopes: ["User.Read"],
    });
    const first = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: "openid offline_access User.Read",
    });
    const firstBody = first.json<{ refresh_token: string; id_token: string }>();
    expect(first.status).toBe(200);
    expect(firstBody.refresh_token).not.toBe(signIn.refreshToken);
    expect(decodeJwt(firstBody.id_token).nonce).toBeUndefined();

    expect(emulator.control.revokeRefreshTokens("alex@contoso.onmicrosoft.com")).toBe(2);
    for (const token of [signIn.refreshToken, firstBody.refresh_token]) {
      const res = await tokenRequest(emulator, {
        grant_type: "refresh_token",
        refresh_token: token,
        scope: "openid User.Read",
      });
      expect(res.json<TokenError>()).toMatchObject({
        error: "invalid_grant",
        error_codes: [50173],
      });
    }
  });

  it("expires after inactivity (AADSTS700082)", async () => {
    const signIn = await signInWithoutBrowser(emulator, { user: "lee@contoso.onmicrosoft.com" });
    emulator.control.shiftClock(91 * 86_400);
    const res = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: "openid",
    });
    emulator.control.shiftClock(-91 * 86_400);
    expect(res.json<TokenError>().error_codes).toEqual([700082]);
  });

  it("asks for consent (AADSTS65001) for a scope the user has not granted", async () => {
    const signIn = await signInWithoutBrowser(emulator, { user: "megan@contoso.onmicrosoft.com" });
    const res = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: "Calendars.Read",
    });
    expect(res.json<TokenError & { suberror: string }>()).toMatchObject({
      error: "invalid_grant",
      error_codes: [65001],
      suberror: "consent_required",
    });
  });

  it("issues tokens for the app's own API with its scopes, and refuses two resources at once", async () => {
    const apiScope = `api://${defaults.webApp}/Orders.Read`;
    const signIn = await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: [apiScope],
    });
    const res = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: apiScope,
    });
    const access = decodeJwt(res.json<{ access_token: string }>().access_token);
    expect(access).toMatchObject({
      aud: defaults.webApp,
      iss: `${emulator.urls.https}/${defaults.contoso}/v2.0`,
      azp: defaults.webApp,
      ver: "2.0",
      scp: "Orders.Read",
      roles: ["Entrance.Admin"],
    });
    const both = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: `${apiScope} User.Read`,
    });
    expect(both.json<TokenError>()).toMatchObject({ error: "invalid_scope", error_codes: [28000] });
  });

  it("declares client capabilities (cp1) in xms_cc when the claims request asks", async () => {
    const signIn = await signInWithoutBrowser(emulator, { user: "lee@contoso.onmicrosoft.com" });
    const res = await tokenRequest(emulator, {
      grant_type: "refresh_token",
      refresh_token: signIn.refreshToken,
      scope: "User.Read",
      claims: JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } }),
    });
    expect(decodeJwt(res.json<{ access_token: string }>().access_token).xms_cc).toEqual(["cp1"]);
  });
});

describe("token claims", () => {
  it("gives a user of 250+ groups the overage form and never an empty groups claim", async () => {
    const adele = await signInWithoutBrowser(emulator, { user: "adele@contoso.onmicrosoft.com" });
    const claims = decodeJwt(adele.idToken);
    expect(claims.groups).toBeUndefined();
    expect(claims._claim_names).toEqual({ groups: "src1" });
    expect(claims._claim_sources).toEqual({
      src1: {
        endpoint: `${emulator.urls.https}/v1.0/users/${defaults.users.overage}/getMemberObjects`,
      },
    });
    const megan = decodeJwt(
      (await signInWithoutBrowser(emulator, { user: "megan@contoso.onmicrosoft.com" })).idToken,
    );
    expect(megan.groups).toHaveLength(2);
  });

  it("keys a fabrikam user to fabrikam even when the e-mail matches a contoso user", async () => {
    const mallory = decodeJwt(
      (
        await signInWithoutBrowser(emulator, {
          user: "mallory@fabrikam.onmicrosoft.com",
          scopes: ["email"],
        })
      ).idToken,
    );
    expect(mallory).toMatchObject({
      tid: defaults.fabrikam,
      oid: defaults.users.sameMail,
      email: "megan.bowen@contoso.com",
    });
    expect(mallory.iss).toBe(`${emulator.urls.https}/${defaults.fabrikam}/v2.0`);
  });

  it("marks a guest with its home idp", async () => {
    const guest = decodeJwt(
      (await signInWithoutBrowser(emulator, { user: defaults.users.guest })).idToken,
    );
    expect(guest).toMatchObject({
      tid: defaults.contoso,
      idp: `https://sts.windows.net/${defaults.fabrikam}/`,
    });
  });
});
