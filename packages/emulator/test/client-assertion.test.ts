import { decodeJwt, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import {
  type ClientAssertionOptions,
  createTestCertificate,
  request,
  signClientAssertion,
  type TestCertificate,
} from "../src/testing/index.js";

/** An app that proves itself with a certificate only. */
const CERT_APP = "7b7c7d7e-8f8a-4b9c-8d0e-1f2a3b4c5d6e";
let emulator: RunningEmulator;
let registered: TestCertificate;
let stranger: TestCertificate;
let tokenEndpoint: string;

beforeAll(async () => {
  emulator = await startEmulator();
  [registered, stranger] = await Promise.all([createTestCertificate(), createTestCertificate()]);
  emulator.control.putApp("contoso.onmicrosoft.com", {
    clientId: CERT_APP,
    displayName: "Certificate daemon",
    certificates: [registered.certPem],
    applicationPermissions: { [defaults.webApp]: [defaults.daemonRole] },
  });
  tokenEndpoint = `${emulator.urls.https}/${defaults.contoso}/oauth2/v2.0/token`;
});
afterAll(async () => {
  await emulator?.stop();
});

type TokenError = { error: string; error_codes: number[]; error_description: string };

function withAssertion(assertion: string, extra: Record<string, string> = {}) {
  return request(tokenEndpoint, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: CERT_APP,
      scope: `api://${defaults.webApp}/.default`,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
      ...extra,
    }),
  });
}

function assertion(
  overrides: Partial<ClientAssertionOptions> = {},
  cert: Pick<TestCertificate, "certPem" | "keyPem"> = registered,
) {
  return signClientAssertion(cert, { clientId: CERT_APP, audience: tokenEndpoint, ...overrides });
}

async function refusal(res: Awaited<ReturnType<typeof withAssertion>>) {
  expect(res.status).toBe(401);
  const body = res.json<TokenError>();
  expect(body.error).toBe("invalid_client");
  return body;
}

describe("private_key_jwt against a registered certificate", () => {
  it.each([
    ["RS256", "x5t"],
    ["PS256", "x5t#S256"],
  ] as const)("accepts %s with %s and marks the token azpacr 2", async (algorithm, header) => {
    const res = await withAssertion(await assertion({ algorithm, thumbprintHeader: header }));
    expect(res.status).toBe(200);
    expect(decodeJwt(res.json<{ access_token: string }>().access_token)).toMatchObject({
      aud: defaults.webApp,
      azp: CERT_APP,
      azpacr: "2",
      idtyp: "app",
      roles: [defaults.daemonRole],
    });
  });

  it("accepts the token endpoint by domain and without client_id (the assertion names the app)", async () => {
    const byDomain = `${emulator.urls.https}/contoso.onmicrosoft.com/oauth2/v2.0/token`;
    const res = await request(byDomain, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        scope: `api://${defaults.webApp}/.default`,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await assertion({ audience: byDomain }),
      }),
    });
    expect(res.status).toBe(200);
  });

  it("accepts one assertion twice while it is valid, as Entra does (MSAL Node reuses it)", async () => {
    const once = await assertion();
    expect((await withAssertion(once)).status).toBe(200);
    expect((await withAssertion(once)).status).toBe(200);
  });

  it("refuses an unknown certificate (700027)", async () => {
    const body = await refusal(await withAssertion(await assertion({}, stranger)));
    expect(body.error_codes).toEqual([700027]);
    expect(body.error_description).toContain("The key was not found");
  });

  it("refuses a signature by another key under the registered thumbprint (700027)", async () => {
    const forged = await assertion({}, { certPem: registered.certPem, keyPem: stranger.keyPem });
    const body = await refusal(await withAssertion(forged));
    expect(body.error_codes).toEqual([700027]);
    expect(body.error_description).toContain("failed signature validation");
  });

  it("refuses alg none, HS256 and garbage (700027)", async () => {
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", x5t: "x" })).toString("base64url")}.${Buffer.from(JSON.stringify({ iss: CERT_APP, sub: CERT_APP, aud: tokenEndpoint, exp: 9_999_999_999 })).toString("base64url")}.`;
    const hs256 = await new SignJWT({ iss: CERT_APP, sub: CERT_APP, aud: tokenEndpoint })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("a shared secret that is long enough"));
    for (const bad of [unsigned, hs256, "not-a-jwt"]) {
      expect((await refusal(await withAssertion(bad))).error_codes).toEqual([700027]);
    }
  });

  it("refuses an expired assertion (700024) and one not yet valid", async () => {
    const expired = await refusal(await withAssertion(await assertion({ expiresIn: -3600 })));
    expect(expired.error_codes).toEqual([700024]);
    const now = Math.floor(Date.now() / 1000);
    const early = await assertion({ claims: { nbf: now + 3600, exp: now + 4000 } });
    expect((await refusal(await withAssertion(early))).error_codes).toEqual([700024]);
  });

  it("refuses another audience (700023) and another issuer or subject (700021)", async () => {
    const fabrikam = `${emulator.urls.https}/${defaults.fabrikam}/oauth2/v2.0/token`;
    for (const audience of [
      fabrikam,
      "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    ]) {
      const res = await withAssertion(await assertion({ audience }));
      expect((await refusal(res)).error_codes).toEqual([700023]);
    }
    const foreignIssuer = await assertion({ claims: { iss: defaults.webApp } });
    expect((await refusal(await withAssertion(foreignIssuer))).error_codes).toEqual([700021]);
  });

  it("refuses an expired certificate (700027)", async () => {
    const old = await createTestCertificate({
      validFrom: new Date(Date.now() - 400 * 86_400_000),
      validTo: new Date(Date.now() - 86_400_000),
    });
    const app = "8c8d8e8f-9a9b-4c0d-9e1f-2a3b4c5d6e7f";
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: app,
      displayName: "Expired certificate",
      certificates: [old.certPem],
    });
    const res = await request(tokenEndpoint, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: app,
        scope: "https://graph.microsoft.com/.default",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await signClientAssertion(old, {
          clientId: app,
          audience: tokenEndpoint,
        }),
      }),
    });
    const body = await refusal(res);
    expect(body.error_codes).toEqual([700027]);
    expect(body.error_description).toContain("expired");
  });

  it("needs client_assertion_type, and one credential only", async () => {
    const good = await assertion();
    const noType = await request(tokenEndpoint, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: CERT_APP,
        scope: `api://${defaults.webApp}/.default`,
        client_assertion: good,
      }),
    });
    expect(noType.json<TokenError>().error_codes).toEqual([900144]);
    const both = await withAssertion(good, { client_secret: "also-a-secret-for-good-measure" });
    expect(both.json<TokenError>().error_codes).toEqual([9002313]);
  });
});

describe("client secrets", () => {
  it("a public client that sends a secret gets 700025; a wrong secret 7000215", async () => {
    const publicApp = "9d9e9f9a-0b1c-4d2e-8f3a-4b5c6d7e8f90";
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: publicApp,
      displayName: "Public",
    });
    const res = await request(tokenEndpoint, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: publicApp,
        client_secret: "public-clients-have-no-secret",
        scope: "https://graph.microsoft.com/.default",
      }),
    });
    expect((await refusal(res)).error_codes).toEqual([700025]);
    const wrong = await request(tokenEndpoint, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: defaults.daemonApp,
        client_secret: "wrong-wrong-wrong-wrong-wrong",
        scope: "https://graph.microsoft.com/.default",
      }),
    });
    expect((await refusal(wrong)).error_codes).toEqual([7000215]);
  });

  it("the configuration refuses a certificate that is not PEM", () => {
    expect(() =>
      emulator.control.putApp("contoso.onmicrosoft.com", {
        clientId: "0e0f0a0b-1c1d-4e2f-9a3b-5c6d7e8f9a0b",
        displayName: "Bad certificate",
        certificates: ["-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"],
      }),
    ).toThrow(/certificates\[0\]: must be a PEM X\.509 certificate/);
  });
});
