import { createHash, randomBytes } from "node:crypto";
import {
  ConfidentialClientApplication,
  type Configuration,
  InteractionRequiredAuthError,
} from "@azure/msal-node";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, GRAPH_APP_ID, type RunningEmulator, startEmulator } from "../src/index.js";
import {
  createTestCertificate,
  interactionRequired,
  pickAccount,
  request,
  type TestCertificate,
  trustingNetworkClient,
} from "../src/testing/index.js";

/**
 * Microsoft's own client, unchanged, against the emulator's web-API grants: client credentials
 * with a secret and with a certificate, and on-behalf-of from a real sign-in.
 */
const MIDDLE = "4d5e6f7a-8b9c-4d0e-8f1a-3b4c5d6e7f8a";
const MIDDLE_SECRET = "msal-middle-tier-secret-0123";
const DOWNSTREAM = "5e6f7a8b-9c0d-4e1f-9a2b-4c5d6e7f8a9b";
const CERT_DAEMON = "6f7a8b9c-0d1e-4f2a-8b3c-5d6e7f8a9b0c";
const REDIRECT_URI = "http://localhost:3000/auth/callback";

let emulator: RunningEmulator;
let certificate: TestCertificate;

beforeAll(async () => {
  emulator = await startEmulator();
  certificate = await createTestCertificate();
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
  emulator.control.putApp("contoso.onmicrosoft.com", {
    clientId: CERT_DAEMON,
    displayName: "Certificate daemon",
    certificates: [certificate.certPem],
    applicationPermissions: { [defaults.webApp]: [defaults.daemonRole] },
  });
});
afterAll(async () => {
  await emulator?.stop();
});

/** Bodies MSAL posted, for tests that look at what it sent. */
const posted: string[] = [];

function msal(auth: Omit<Configuration["auth"], "authority" | "knownAuthorities">, tenant: string) {
  const network = trustingNetworkClient(emulator.caCertPem);
  return new ConfidentialClientApplication({
    auth: {
      ...auth,
      authority: emulator.authority(tenant),
      knownAuthorities: [new URL(emulator.urls.https).host],
    },
    system: {
      networkClient: {
        sendGetRequestAsync: (url, options, timeout) =>
          network.sendGetRequestAsync(url, options, timeout),
        sendPostRequestAsync: (url, options) => {
          posted.push(options?.body ?? "");
          return network.sendPostRequestAsync(url, options);
        },
      },
    },
  });
}

async function verifyV2(token: string, audience: string) {
  const keys = await request(`${emulator.urls.https}/${defaults.contoso}/discovery/v2.0/keys`, {
    ca: emulator.caCertPem,
  });
  return (
    await jwtVerify(token, createLocalJWKSet(keys.json()), {
      issuer: `${emulator.urls.https}/${defaults.contoso}/v2.0`,
      audience,
      algorithms: ["RS256"],
    })
  ).payload;
}

describe("MSAL Node acquireTokenByClientCredential", () => {
  it("with a secret: an app-only token with the daemon's roles, then from MSAL's cache", async () => {
    const daemon = msal(
      { clientId: defaults.daemonApp, clientSecret: defaults.daemonSecret },
      "contoso.onmicrosoft.com",
    );
    emulator.control.resetCounts();
    const scopes = [`api://${defaults.webApp}/.default`];
    const result = await daemon.acquireTokenByClientCredential({ scopes });
    if (!result) throw new Error("MSAL returned no result");
    expect(await verifyV2(result.accessToken, defaults.webApp)).toMatchObject({
      idtyp: "app",
      azp: defaults.daemonApp,
      azpacr: "1",
      roles: [defaults.daemonRole],
    });
    const again = await daemon.acquireTokenByClientCredential({ scopes });
    expect(again?.accessToken).toBe(result.accessToken);
    expect(emulator.control.counts()["token:client_credentials"]).toBe(1);
  });

  it.each([
    ["thumbprintSha256 (PS256, x5t#S256)", "thumbprintSha256"],
    ["thumbprint (RS256, x5t)", "thumbprint"],
  ] as const)("with a certificate by %s: azpacr 2", async (_, field) => {
    const daemon = msal(
      {
        clientId: CERT_DAEMON,
        clientCertificate: { [field]: certificate[field], privateKey: certificate.keyPem },
      },
      defaults.contoso,
    );
    const result = await daemon.acquireTokenByClientCredential({
      scopes: [`api://${defaults.webApp}/.default`],
    });
    expect(await verifyV2(result?.accessToken ?? "", defaults.webApp)).toMatchObject({
      azp: CERT_DAEMON,
      azpacr: "2",
      roles: [defaults.daemonRole],
    });
  });

  it("with a certificate, for two resources: MSAL reuses its signed assertion and both succeed", async () => {
    const daemon = msal(
      {
        clientId: CERT_DAEMON,
        clientCertificate: {
          thumbprintSha256: certificate.thumbprintSha256,
          privateKey: certificate.keyPem,
        },
      },
      defaults.contoso,
    );
    emulator.control.resetCounts();
    posted.length = 0;
    const api = await daemon.acquireTokenByClientCredential({
      scopes: [`api://${defaults.webApp}/.default`],
    });
    const graph = await daemon.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    expect(decodeJwt(api?.accessToken ?? "").aud).toBe(defaults.webApp);
    expect(decodeJwt(graph?.accessToken ?? "")).toMatchObject({ aud: GRAPH_APP_ID, appidacr: "2" });
    expect(emulator.control.counts()["token:client_credentials"]).toBe(2);
    const assertions = posted.map((body) => new URLSearchParams(body).get("client_assertion"));
    expect(assertions).toHaveLength(2);
    expect(assertions[0]).toBeTruthy();
    expect(assertions[1]).toBe(assertions[0]);
  });

  it("with a certificate the app does not have: AADSTS700027", async () => {
    const other = await createTestCertificate();
    const daemon = msal(
      {
        clientId: CERT_DAEMON,
        clientCertificate: {
          thumbprintSha256: other.thumbprintSha256,
          privateKey: other.keyPem,
        },
      },
      "contoso.onmicrosoft.com",
    );
    await expect(
      daemon.acquireTokenByClientCredential({ scopes: ["https://graph.microsoft.com/.default"] }),
    ).rejects.toMatchObject({
      errorCode: "invalid_client",
      errorMessage: expect.stringContaining("AADSTS700027"),
    });
  });
});

describe("MSAL Node acquireTokenOnBehalfOf", () => {
  /** The web app signs Lee in with MSAL for the middle tier's scope: the token the API receives. */
  async function tokenForMiddleTier(): Promise<string> {
    const web = msal(
      { clientId: defaults.webApp, clientSecret: defaults.webAppSecret },
      "organizations",
    );
    const verifier = randomBytes(32).toString("base64url");
    const scopes = [`api://${MIDDLE}/access_as_user`];
    const url = await web.getAuthCodeUrl({
      scopes,
      redirectUri: REDIRECT_URI,
      codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
      codeChallengeMethod: "S256",
    });
    const back = await pickAccount(emulator, url, { user: "lee@contoso.onmicrosoft.com" });
    const result = await web.acquireTokenByCode({
      code: new URL(back.location).searchParams.get("code") ?? "",
      redirectUri: REDIRECT_URI,
      scopes,
      codeVerifier: verifier,
    });
    expect(decodeJwt(result.accessToken).aud).toBe(MIDDLE);
    return result.accessToken;
  }

  it("exchanges the API's incoming token for a Graph token as the same user", async () => {
    const oboAssertion = await tokenForMiddleTier();
    const middle = msal(
      { clientId: MIDDLE, clientSecret: MIDDLE_SECRET },
      "contoso.onmicrosoft.com",
    );
    const result = await middle.acquireTokenOnBehalfOf({
      oboAssertion,
      scopes: ["https://graph.microsoft.com/User.Read"],
    });
    if (!result) throw new Error("MSAL returned no result");
    expect(result.account?.homeAccountId).toBe(`${defaults.users.member}.${defaults.contoso}`);
    expect(decodeJwt(result.accessToken)).toMatchObject({
      aud: GRAPH_APP_ID,
      appid: MIDDLE,
      oid: defaults.users.member,
      scp: expect.stringContaining("User.Read"),
    });
    const me = await request(`${emulator.urls.https}/v1.0/me`, {
      ca: emulator.caCertPem,
      headers: { authorization: `Bearer ${result.accessToken}` },
    });
    expect(me.json()).toMatchObject({ userPrincipalName: "lee@contoso.onmicrosoft.com" });
  });

  it("surfaces consent_required and a queued claims challenge as InteractionRequiredAuthError", async () => {
    const oboAssertion = await tokenForMiddleTier();
    const middle = msal(
      { clientId: MIDDLE, clientSecret: MIDDLE_SECRET },
      "contoso.onmicrosoft.com",
    );
    const scopes = [`api://${DOWNSTREAM}/Inventory.Read`];
    const consent = await middle.acquireTokenOnBehalfOf({ oboAssertion, scopes }).catch((e) => e);
    expect(consent).toBeInstanceOf(InteractionRequiredAuthError);
    expect(consent).toMatchObject({ subError: "consent_required" });
    expect(consent.errorMessage).toContain("AADSTS65001");

    emulator.control.grantConsent("lee@contoso.onmicrosoft.com", MIDDLE, scopes);
    const granted = await middle.acquireTokenOnBehalfOf({ oboAssertion, scopes });
    expect(decodeJwt(granted?.accessToken ?? "")).toMatchObject({
      aud: DOWNSTREAM,
      azp: MIDDLE,
      scp: "Inventory.Read",
    });

    const challenge = { access_token: { capolids: { essential: true, values: ["policy-1"] } } };
    emulator.control.queueFault("token", interactionRequired(challenge), 1, { clientId: MIDDLE });
    const stepUp = await middle
      .acquireTokenOnBehalfOf({ oboAssertion, scopes, skipCache: true })
      .catch((e) => e);
    expect(stepUp).toBeInstanceOf(InteractionRequiredAuthError);
    expect(stepUp.errorMessage).toContain("AADSTS50076");
    expect(JSON.parse(stepUp.claims)).toEqual(challenge);
  });
});
