import { generateKeyPairSync } from "node:crypto";
import { decodeJwt, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, GRAPH_APP_ID, type RunningEmulator, startEmulator } from "../src/index.js";
import { interactionRequired, request, signInWithoutBrowser } from "../src/testing/index.js";

/** The middle tier: an API the web app calls, which calls Graph and another API on. */
const MIDDLE = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e";
const MIDDLE_SECRET = "middle-tier-secret-0123456789";
/** The downstream API. */
const DOWNSTREAM = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6f";
const LEE = "lee@contoso.onmicrosoft.com";

let emulator: RunningEmulator;
/** Lee's access token for the middle tier, as the web app got it. */
let assertion: string;
/** Lee's Graph token, also from the web app: not for the middle tier. */
let graphToken: string;

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.control.putApp("contoso.onmicrosoft.com", {
    clientId: MIDDLE,
    displayName: "Orders API (middle tier)",
    secrets: [MIDDLE_SECRET],
    exposedScopes: ["access_as_user"],
  });
  emulator.control.putApp("contoso.onmicrosoft.com", {
    clientId: DOWNSTREAM,
    displayName: "Inventory API",
    exposedScopes: ["Inventory.Read"],
  });
  // The web app signs Lee in for the middle tier's scope (the consent page grants it)...
  const signIn = await signInWithoutBrowser(emulator, {
    user: LEE,
    scopes: [`api://${MIDDLE}/access_as_user`],
  });
  assertion = signIn.accessToken;
  // ...and also holds a Graph token for Lee.
  const graph = await request(`${emulator.urls.https}/organizations/oauth2/v2.0/token`, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      grant_type: "refresh_token",
      client_id: defaults.webApp,
      client_secret: defaults.webAppSecret,
      refresh_token: signIn.refreshToken,
      scope: "User.Read",
    }),
  });
  graphToken = graph.json<{ access_token: string }>().access_token;
  expect(decodeJwt(graphToken).aud).toBe(GRAPH_APP_ID);
  expect(decodeJwt(assertion).aud).toBe(MIDDLE);
});
afterAll(async () => {
  await emulator?.stop();
});

type TokenError = {
  error: string;
  error_codes: number[];
  error_description: string;
  suberror?: string;
  claims?: string;
};

/** An on-behalf-of request by the middle tier (or another client). */
function obo(
  fields: Record<string, string>,
  client = { id: MIDDLE, secret: MIDDLE_SECRET },
  tenant = "contoso.onmicrosoft.com",
) {
  return request(`${emulator.urls.https}/${tenant}/oauth2/v2.0/token`, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      requested_token_use: "on_behalf_of",
      client_id: client.id,
      client_secret: client.secret,
      assertion,
      client_info: "1",
      ...fields,
    }),
  });
}

describe("on-behalf-of", () => {
  it("gives the middle tier a Graph token as the same user, with a refresh token it can use", async () => {
    const res = await obo({
      scope: "https://graph.microsoft.com/User.Read openid profile offline_access",
    });
    expect(res.status).toBe(200);
    const body = res.json<Record<string, string>>();
    expect(decodeJwt(body.access_token ?? "")).toMatchObject({
      aud: GRAPH_APP_ID,
      appid: MIDDLE,
      oid: defaults.users.member,
      tid: defaults.contoso,
      scp: expect.stringContaining("User.Read"),
    });
    expect(decodeJwt(body.id_token ?? "")).toMatchObject({
      aud: MIDDLE,
      oid: defaults.users.member,
    });
    expect(JSON.parse(Buffer.from(body.client_info ?? "", "base64url").toString())).toEqual({
      uid: defaults.users.member,
      utid: defaults.contoso,
    });
    const refreshed = await request(`${emulator.urls.https}/organizations/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "refresh_token",
        client_id: MIDDLE,
        client_secret: MIDDLE_SECRET,
        refresh_token: body.refresh_token ?? "",
        scope: "User.Read",
      }),
    });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.json<{ access_token: string }>().access_token).oid).toBe(
      defaults.users.member,
    );
  });

  it("asks for the user's consent to the downstream API (65001), then issues its token", async () => {
    const scope = `api://${DOWNSTREAM}/Inventory.Read`;
    const refused = await obo({ scope });
    expect(refused.json<TokenError>()).toMatchObject({
      error: "invalid_grant",
      error_codes: [65001],
      suberror: "consent_required",
    });
    emulator.control.grantConsent(LEE, MIDDLE, [scope]);
    const res = await obo({ scope });
    expect(res.status).toBe(200);
    const body = res.json<{ access_token: string; refresh_token?: string }>();
    expect(body.refresh_token).toBeUndefined();
    expect(decodeJwt(body.access_token)).toMatchObject({
      aud: DOWNSTREAM,
      azp: MIDDLE,
      scp: "Inventory.Read",
      oid: defaults.users.member,
      ver: "2.0",
    });
  });

  it("refuses a token that is not for the middle tier (500131)", async () => {
    const graph = await obo({ scope: "User.Read", assertion: graphToken });
    expect(graph.json<TokenError>()).toMatchObject({
      error: "invalid_grant",
      error_codes: [500131],
    });
    const notMine = await obo(
      { scope: "User.Read" },
      { id: defaults.webApp, secret: defaults.webAppSecret },
    );
    expect(notMine.json<TokenError>().error_codes).toEqual([500131]);
  });

  it("refuses a foreign signature, a malformed assertion and an app-only token (50013)", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const claims = decodeJwt(assertion);
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "not-an-emulator-key" })
      .sign(privateKey);
    const appOnly = await request(
      `${emulator.urls.https}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
      {
        ca: emulator.caCertPem,
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: defaults.daemonApp,
          client_secret: defaults.daemonSecret,
          scope: `api://${defaults.webApp}/.default`,
        }),
      },
    );
    const daemonToken = appOnly.json<{ access_token: string }>().access_token;
    for (const [bad, client] of [
      [forged, { id: MIDDLE, secret: MIDDLE_SECRET }],
      ["not.a.jwt", { id: MIDDLE, secret: MIDDLE_SECRET }],
      [daemonToken, { id: defaults.webApp, secret: defaults.webAppSecret }],
    ] as const) {
      const res = await obo({ scope: "User.Read", assertion: bad }, client);
      expect(res.status).toBe(400);
      expect(res.json<TokenError>()).toMatchObject({
        error: "invalid_grant",
        error_codes: [50013],
      });
    }
  });

  it("refuses an expired assertion (500133) and one from another tenant than the request's (50013)", async () => {
    emulator.control.shiftClock(2 * 3600);
    const late = await obo({ scope: "User.Read" });
    emulator.control.shiftClock(-2 * 3600);
    expect(late.json<TokenError>().error_codes).toEqual([500133]);
    const elsewhere = await obo(
      { scope: "User.Read" },
      { id: MIDDLE, secret: MIDDLE_SECRET },
      "fabrikam.onmicrosoft.com",
    );
    expect(elsewhere.json<TokenError>().error_codes).toEqual([50013]);
  });

  it("needs the assertion, requested_token_use=on_behalf_of and a confidential client", async () => {
    const base = { scope: "User.Read" };
    expect((await obo({ ...base, assertion: "" })).json<TokenError>().error_codes).toEqual([
      900144,
    ]);
    expect(
      (await obo({ ...base, requested_token_use: "something_else" })).json<TokenError>()
        .error_codes,
    ).toEqual([9002313]);
    const publicClient = "3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f";
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: publicClient,
      displayName: "SPA",
    });
    const res = await request(`${emulator.urls.https}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        requested_token_use: "on_behalf_of",
        client_id: publicClient,
        assertion,
        scope: "User.Read",
      }),
    });
    expect(res.json<TokenError>().error_codes).toEqual([7000218]);
  });

  it("accepts a v1.0 assertion (aud api://{id}, sts.windows.net issuer) for a v1 middle tier", async () => {
    const legacy = "4d5e6f7a-8b9c-4d0e-9f1a-3b4c5d6e7f80";
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: legacy,
      displayName: "Legacy middle tier",
      secrets: ["legacy-middle-tier-secret-01"],
      exposedScopes: ["access_as_user"],
      accessTokenAcceptedVersion: 1,
    });
    const signIn = await signInWithoutBrowser(emulator, {
      user: LEE,
      scopes: [`api://${legacy}/access_as_user`],
    });
    expect(decodeJwt(signIn.accessToken)).toMatchObject({
      aud: `api://${legacy}`,
      iss: `https://sts.windows.net/${defaults.contoso}/`,
    });
    const res = await obo(
      { scope: "User.Read", assertion: signIn.accessToken },
      { id: legacy, secret: "legacy-middle-tier-secret-01" },
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(res.json<{ access_token: string }>().access_token)).toMatchObject({
      aud: GRAPH_APP_ID,
      appid: legacy,
      oid: defaults.users.member,
    });
  });

  it("answers the middle tier's next request with a queued claims challenge, and only its", async () => {
    emulator.control.queueFault("token", interactionRequired(), 1, { clientId: MIDDLE });
    const daemon = await request(
      `${emulator.urls.https}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
      {
        ca: emulator.caCertPem,
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: defaults.daemonApp,
          client_secret: defaults.daemonSecret,
          scope: "https://graph.microsoft.com/.default",
        }),
      },
    );
    expect(daemon.status).toBe(200);
    const challenged = await obo({ scope: "User.Read" });
    expect(challenged.status).toBe(400);
    const body = challenged.json<TokenError>();
    expect(body).toMatchObject({
      error: "interaction_required",
      error_codes: [50076],
      suberror: "basic_action",
    });
    expect(body.error_description).toMatch(/^AADSTS50076: .*\r\nTrace ID: /s);
    expect(JSON.parse(body.claims ?? "")).toEqual({
      access_token: { capolids: { essential: true, values: [expect.any(String)] } },
    });
    expect((await obo({ scope: "User.Read" })).status).toBe(200);
  });
});
