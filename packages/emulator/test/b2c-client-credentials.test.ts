/**
 * Client credentials at an Azure AD B2C policy's token endpoint, through MSAL Node unchanged: an
 * app's token for an API of the tenant (`https://{tenant domain}/{api}/.default`), shaped as
 * Microsoft documents B2C's: `aud` the API, `sub` the app's service principal, `azp` the app,
 * the granted application permissions in `scp` (not `roles`), `ver` 1.0 and the policy's claim.
 */
import { ConfidentialClientApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import { request, trustingNetworkClient } from "../src/testing/index.js";

const B2C = defaults.b2c;
/** An API of the B2C tenant with two app roles applications may hold. */
const API = "b2c0a91e-0000-4000-8000-00000000a001";
/** A daemon of the B2C tenant granted both; another granted nothing. */
const DAEMON = "b2c0a91e-0000-4000-8000-00000000d001";
const DAEMON_SECRET = "b2c-daemon-test-secret-0123456789";
const BARE = "b2c0a91e-0000-4000-8000-00000000d002";
const BARE_SECRET = "b2c-bare-daemon-secret-0123456789";
const API_DEFAULT = `https://${B2C.domain}/${API}/.default`;

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
  const role = (value: string, id: string) => ({
    id,
    value,
    displayName: value,
    allowedMemberTypes: ["Application" as const],
  });
  emulator.control.putApp(B2C.tenant, {
    clientId: API,
    displayName: "Orders API (B2C)",
    exposedScopes: ["Orders.Read"],
    appRoles: [
      role("app.read", "b2c0a91e-0000-4000-8000-0000000000a1"),
      role("app.write", "b2c0a91e-0000-4000-8000-0000000000a2"),
    ],
  });
  emulator.control.putApp(B2C.tenant, {
    clientId: DAEMON,
    displayName: "Order sync (B2C daemon)",
    secrets: [DAEMON_SECRET],
    applicationPermissions: { [API]: ["app.read", "app.write"] },
  });
  emulator.control.putApp(B2C.tenant, {
    clientId: BARE,
    displayName: "Ungranted daemon",
    secrets: [BARE_SECRET],
  });
});
afterAll(() => emulator.stop());

const tokenEndpoint = (policy: string) =>
  `${emulator.urls.https}/${B2C.domain}/${policy}/oauth2/v2.0/token`;

function msal(clientId: string, clientSecret: string, policy: string) {
  return new ConfidentialClientApplication({
    auth: {
      clientId,
      clientSecret,
      authority: `${emulator.urls.https}/${B2C.domain}/${policy}`,
      knownAuthorities: [new URL(emulator.urls.https).host],
    },
    system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
  });
}

async function post(policy: string, fields: Record<string, string>) {
  const answer = await request(tokenEndpoint(policy), {
    body: new URLSearchParams(fields),
    ca: emulator.caCertPem,
  });
  return { status: answer.status, body: answer.json<Record<string, unknown>>() };
}

describe("client credentials in an Azure AD B2C tenant", () => {
  it("gives MSAL Node an app token at the sign-up/sign-in policy, shaped as B2C's", async () => {
    const result = await msal(
      DAEMON,
      DAEMON_SECRET,
      B2C.signUpSignIn,
    ).acquireTokenByClientCredential({
      scopes: [API_DEFAULT],
    });
    const claims = decodeJwt(result?.accessToken ?? "");
    expect(claims).toMatchObject({
      iss: `${emulator.urls.https}/${B2C.tenant}/v2.0/`,
      aud: API,
      azp: DAEMON,
      scp: "app.read app.write",
      tfp: B2C.signUpSignIn,
      ver: "1.0",
    });
    // The subject is the app's service principal: neither a user nor the client id.
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.sub).not.toBe(DAEMON);
    expect(claims).not.toHaveProperty("roles");
    expect(claims).not.toHaveProperty("oid");
    expect(claims).not.toHaveProperty("nonce");
    expect(result?.expiresOn?.getTime()).toBeGreaterThan(Date.now());
  });

  it("answers at any policy of the tenant, naming that policy, with B2C's response fields", async () => {
    const { status, body } = await post(B2C.passwordReset, {
      grant_type: "client_credentials",
      client_id: DAEMON,
      client_secret: DAEMON_SECRET,
      scope: API_DEFAULT,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      token_type: "Bearer",
      expires_in: expect.any(Number),
      expires_on: expect.any(Number),
      not_before: expect.any(Number),
      resource: API,
    });
    expect(decodeJwt(String(body.access_token)).tfp).toBe(B2C.passwordReset);
  });

  it("leaves scp out for an app granted nothing", async () => {
    const result = await msal(BARE, BARE_SECRET, B2C.signUpSignIn).acquireTokenByClientCredential({
      scopes: [API_DEFAULT],
    });
    const claims = decodeJwt(result?.accessToken ?? "");
    expect(claims).toMatchObject({ aud: API, azp: BARE });
    expect(claims).not.toHaveProperty("scp");
  });

  it("refuses a scope that is not an API's /.default of the tenant (AADB2C90117), and none (AADB2C90014)", async () => {
    for (const scope of [
      `https://${B2C.domain}/${API}/Orders.Read`,
      "https://graph.microsoft.com/.default",
      `https://fabrikam.onmicrosoft.com/${API}/.default`,
      `https://${B2C.domain}/b2c0a91e-0000-4000-8000-0000000000ff/.default`,
    ]) {
      const { status, body } = await post(B2C.signUpSignIn, {
        grant_type: "client_credentials",
        client_id: DAEMON,
        client_secret: DAEMON_SECRET,
        scope,
      });
      expect(status).toBe(400);
      expect(String(body.error_description)).toMatch(/^AADB2C90117: /);
    }
    const { body } = await post(B2C.signUpSignIn, {
      grant_type: "client_credentials",
      client_id: DAEMON,
      client_secret: DAEMON_SECRET,
    });
    expect(String(body.error_description)).toMatch(/^AADB2C90014: /);
  });

  it("refuses a wrong secret, a public client, and an app of another tenant", async () => {
    const wrong = await post(B2C.signUpSignIn, {
      grant_type: "client_credentials",
      client_id: DAEMON,
      client_secret: "not-the-secret-0123456789",
      scope: API_DEFAULT,
    });
    expect(wrong.status).toBe(401);
    expect(String(wrong.body.error_description)).toMatch(/^AADB2C90081: /);
    emulator.control.putApp(B2C.tenant, {
      clientId: "b2c0a91e-0000-4000-8000-00000000d003",
      displayName: "A public client",
    });
    const open = await post(B2C.signUpSignIn, {
      grant_type: "client_credentials",
      client_id: "b2c0a91e-0000-4000-8000-00000000d003",
      scope: API_DEFAULT,
    });
    expect(open.body.error).toBe("invalid_client");
    expect(String(open.body.error_description)).toMatch(/^AADB2C90081: /);
    expect(open.body).not.toHaveProperty("access_token");
    const workforce = await post(B2C.signUpSignIn, {
      grant_type: "client_credentials",
      client_id: defaults.webApp,
      client_secret: defaults.webAppSecret,
      scope: API_DEFAULT,
    });
    expect(workforce.body).not.toHaveProperty("access_token");
  });
});
