import { createHash, randomBytes } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import { pickAccount, request, trustingNetworkClient } from "../src/testing/index.js";

const REDIRECT_URI = "http://localhost:3000/auth/callback";
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

function msalFor(tenant: string, clientSecret: string = defaults.webAppSecret) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: defaults.webApp,
      clientSecret,
      authority: emulator.authority(tenant),
      knownAuthorities: [new URL(emulator.urls.https).host],
    },
    system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
  });
}

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** MSAL builds the authorize URL; the "person" picks Megan; MSAL redeems the code. */
async function signInWithMsal(
  cca: ConfidentialClientApplication,
  user = "megan@contoso.onmicrosoft.com",
) {
  const { verifier, challenge } = pkce();
  const state = randomBytes(8).toString("hex");
  const url = await cca.getAuthCodeUrl({
    scopes: ["User.Read"],
    redirectUri: REDIRECT_URI,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state,
  });
  expect(url.startsWith(`${emulator.urls.http}/`)).toBe(true);
  const back = new URL((await pickAccount(emulator, url, { user })).location);
  expect(back.searchParams.get("state")).toBe(state);
  const code = back.searchParams.get("code") ?? "";
  const result = await cca.acquireTokenByCode({
    code,
    redirectUri: REDIRECT_URI,
    scopes: ["User.Read"],
    codeVerifier: verifier,
  });
  return { result, code, verifier };
}

describe.each([
  ["a tenant authority", "contoso.onmicrosoft.com"],
  ["organizations", "organizations"],
])("MSAL Node against %s", (_, tenant) => {
  it("signs in with auth code + PKCE, answers silently from its cache, and refreshes", async () => {
    const cca = msalFor(tenant);
    const { result } = await signInWithMsal(cca);
    expect(result.account?.homeAccountId).toBe(`${defaults.users.admin}.${defaults.contoso}`);
    expect(result.account?.tenantId).toBe(defaults.contoso);
    expect(result.idTokenClaims).toMatchObject({
      oid: defaults.users.admin,
      tid: defaults.contoso,
    });
    expect(result.scopes).toContain("User.Read");
    const account = result.account;
    if (!account) throw new Error("MSAL returned no account");

    emulator.control.resetCounts();
    const silent = await cca.acquireTokenSilent({ account, scopes: ["User.Read"] });
    expect(silent.accessToken).toBe(result.accessToken);
    expect(emulator.control.counts()["token:refresh_token"]).toBeUndefined();

    const refreshed = await cca.acquireTokenSilent({
      account,
      scopes: ["User.Read"],
      forceRefresh: true,
    });
    expect(emulator.control.counts()["token:refresh_token"]).toBe(1);
    expect(refreshed.accessToken).not.toBe(result.accessToken);
    expect(decodeJwt(refreshed.accessToken)).toMatchObject({
      oid: defaults.users.admin,
      scp: expect.stringContaining("User.Read"),
    });
  });
});

describe("Entra errors through MSAL", () => {
  it("a wrong client secret gets AADSTS7000215", async () => {
    const cca = msalFor("contoso.onmicrosoft.com", "not-the-secret-at-all-0000");
    await expect(signInWithMsal(cca)).rejects.toMatchObject({
      errorCode: "invalid_client",
      errorMessage: expect.stringContaining("AADSTS7000215"),
    });
  });

  it("a replayed code gets AADSTS54005", async () => {
    const cca = msalFor("contoso.onmicrosoft.com");
    const { code, verifier } = await signInWithMsal(cca);
    await expect(
      cca.acquireTokenByCode({
        code,
        redirectUri: REDIRECT_URI,
        scopes: ["User.Read"],
        codeVerifier: verifier,
      }),
    ).rejects.toMatchObject({
      errorCode: "invalid_grant",
      errorMessage: expect.stringContaining("AADSTS54005"),
    });
  });

  it("a code_verifier that does not match gets AADSTS501481", async () => {
    const cca = msalFor("contoso.onmicrosoft.com");
    const { challenge } = pkce();
    const url = await cca.getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: "S256",
    });
    const code =
      new URL(
        (await pickAccount(emulator, url, { user: "lee@contoso.onmicrosoft.com" })).location,
      ).searchParams.get("code") ?? "";
    await expect(
      cca.acquireTokenByCode({
        code,
        redirectUri: REDIRECT_URI,
        scopes: ["User.Read"],
        codeVerifier: pkce().verifier,
      }),
    ).rejects.toMatchObject({
      errorCode: "invalid_grant",
      errorMessage: expect.stringContaining("AADSTS501481"),
    });
  });
});

describe("ID tokens", () => {
  it("verify with jose against the discovered JWKS and the {tenantid} issuer", async () => {
    const cca = msalFor("organizations");
    const { result } = await signInWithMsal(cca, "alex@contoso.onmicrosoft.com");
    const discovery = (
      await request(`${emulator.urls.https}/organizations/v2.0/.well-known/openid-configuration`, {
        ca: emulator.caCertPem,
      })
    ).json<{ issuer: string; jwks_uri: string }>();
    expect(discovery.issuer).toBe(`${emulator.urls.https}/{tenantid}/v2.0`);
    const jwks = (await request(discovery.jwks_uri, { ca: emulator.caCertPem })).json<never>();
    const tid = decodeJwt(result.idToken).tid as string;
    const { payload, protectedHeader } = await jwtVerify(result.idToken, createLocalJWKSet(jwks), {
      issuer: discovery.issuer.replace("{tenantid}", tid),
      audience: defaults.webApp,
      algorithms: ["RS256"],
    });
    expect(protectedHeader).toMatchObject({ typ: "JWT", alg: "RS256" });
    expect(payload).toMatchObject({
      tid: defaults.contoso,
      oid: defaults.users.noPhoto,
      ver: "2.0",
      preferred_username: "alex@contoso.onmicrosoft.com",
      roles: ["Orders.Approve"],
    });
    expect(payload.sub).not.toBe(defaults.users.noPhoto);
    expect(typeof payload.sid).toBe("string");
    expect(payload.nonce).toBeUndefined();
  });
});
