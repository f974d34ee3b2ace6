/**
 * The External ID tenant on its real host names: `https://contosocustomers.ciamlogin.com/…`,
 * reached through the emulator's host proxy (no hosts file, no DNS). MSAL Node, unchanged, signs
 * in with each authority form MSAL's CIAM handling knows: the host alone (which msal-common turns
 * into `…/contosocustomers.onmicrosoft.com/`), the tenant's domain, and the tenant id.
 */
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { request as httpRequest } from "node:http";
import { connect as tlsConnect } from "node:tls";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { externalDefaults, type RunningEmulator, startEmulator } from "../src/index.js";
import {
  createTestCertificate,
  type HostProxy,
  pickAccount,
  request,
  routeCiamHostsThrough,
  signClientAssertion,
  startEmulatorHostProxy,
  trustingNetworkClient,
} from "../src/testing/index.js";

const TID = externalDefaults.tenant;
const HOST = `${externalDefaults.subdomain}.ciamlogin.com`;
const ISSUER = `https://${TID}.ciamlogin.com/${TID}/v2.0`;
const REDIRECT_URI = "http://localhost:3000/auth/callback";
const SCOPES = ["User.Read"];

let emulator: RunningEmulator;
let proxy: HostProxy;
let unroute: () => void;
beforeAll(async () => {
  emulator = await startEmulator();
  proxy = await startEmulatorHostProxy(emulator);
  unroute = routeCiamHostsThrough(proxy);
});
afterAll(async () => {
  unroute?.();
  await proxy?.close();
  await emulator?.stop();
});

function msal(authority: string, knownAuthorities: string[] = []) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: externalDefaults.app,
      clientSecret: externalDefaults.appSecret,
      authority,
      knownAuthorities,
    },
    system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
  });
}

async function signIn(cca: ConfidentialClientApplication) {
  const verifier = randomBytes(32).toString("base64url");
  const url = await cca.getAuthCodeUrl({
    scopes: SCOPES,
    redirectUri: REDIRECT_URI,
    codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
    codeChallengeMethod: "S256",
  });
  expect(new URL(url).origin).toBe(`https://${HOST}`);
  expect(new URL(url).pathname).toBe(`/${TID}/oauth2/v2.0/authorize`);
  const back = await pickAccount(emulator, url, { user: externalDefaults.customer });
  return cca.acquireTokenByCode({
    code: new URL(back.location).searchParams.get("code") ?? "",
    redirectUri: REDIRECT_URI,
    scopes: SCOPES,
    codeVerifier: verifier,
  });
}

describe("the External ID tenant on its ciamlogin.com host", () => {
  it("publishes its metadata on the host it is asked on, with External ID's issuer", async () => {
    for (const [host, segment] of [
      [HOST, `${externalDefaults.subdomain}.onmicrosoft.com`],
      [HOST, TID],
      [`${TID}.ciamlogin.com`, TID],
    ] as const) {
      const res = await request(
        `https://${host}/${segment}/v2.0/.well-known/openid-configuration`,
        {
          ca: emulator.caCertPem,
        },
      );
      expect(res.status).toBe(200);
      const doc = res.json<Record<string, string>>();
      expect(doc.issuer).toBe(ISSUER);
      for (const endpoint of ["authorization_endpoint", "token_endpoint", "jwks_uri"]) {
        expect(new URL(doc[endpoint] ?? "").origin).toBe(`https://${host}`);
        expect(new URL(doc[endpoint] ?? "").pathname.startsWith(`/${TID}/`)).toBe(true);
      }
    }
  });

  it("answers for its own tenant only: another tenant or an alias on its host is not found", async () => {
    const b2c = await request(
      `https://${HOST}/contosob2c.onmicrosoft.com/B2C_1_signupsignin/v2.0/.well-known/openid-configuration`,
      { ca: emulator.caCertPem },
    );
    expect(b2c.status).not.toBe(200);
    for (const segment of ["contoso.onmicrosoft.com", "common", "organizations"]) {
      const res = await request(
        `https://${HOST}/${segment}/v2.0/.well-known/openid-configuration`,
        {
          ca: emulator.caCertPem,
        },
      );
      expect(res.status).toBe(400);
      expect(res.json<{ error_codes: number[] }>().error_codes).toEqual([90002]);
    }
  });

  for (const [form, authority, known] of [
    ["the host alone", `https://${HOST}/`, [`${TID}.ciamlogin.com`]],
    [
      "the tenant's domain",
      `https://${HOST}/${externalDefaults.subdomain}.onmicrosoft.com`,
      [`${TID}.ciamlogin.com`],
    ],
    ["the tenant id", `https://${HOST}/${TID}`, []],
  ] as const) {
    it(`lets MSAL Node sign a customer in and refresh with ${form} as authority`, async () => {
      const cca = msal(authority, [...known]);
      const first = await signIn(cca);
      expect(first.idTokenClaims).toMatchObject({ iss: ISSUER, tid: TID });
      expect(first.account?.environment).toBe(HOST);
      expect(first.account?.homeAccountId).toBe(`${externalDefaults.customer}.${TID}`);
      expect(decodeJwt(first.idToken).oid).toBe(externalDefaults.customer);

      const tokenRequests = emulator.control.counts().token ?? 0;
      const again = await cca.acquireTokenSilent({
        account: first.account ?? (undefined as never),
        scopes: SCOPES,
        forceRefresh: true,
      });
      expect(emulator.control.counts().token ?? 0).toBe(tokenRequests + 1);
      expect(again.accessToken).not.toBe(first.accessToken);
      expect(again.idTokenClaims).toMatchObject({ iss: ISSUER, oid: externalDefaults.customer });
    });
  }

  it("takes a certificate credential whose assertion is for the token endpoint on this host", async () => {
    const certificate = await createTestCertificate();
    const clientId = "d7e0f4a5-6172-4d9e-8fb0-0b9c8d7e6f5a";
    emulator.control.putApp(TID, {
      clientId,
      displayName: "Shop with a certificate",
      certificates: [certificate.certPem],
      redirectUris: [REDIRECT_URI],
      groupMembershipClaims: "None",
    });
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId,
        authority: `https://${HOST}/${TID}`,
        clientCertificate: {
          thumbprintSha256: certificate.thumbprintSha256,
          privateKey: certificate.keyPem,
        },
      },
      system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
    });
    const verifier = randomBytes(32).toString("base64url");
    const url = await cca.getAuthCodeUrl({
      scopes: SCOPES,
      redirectUri: REDIRECT_URI,
      codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
      codeChallengeMethod: "S256",
    });
    const back = await pickAccount(emulator, url, { user: externalDefaults.customer });
    const code = new URL(back.location).searchParams.get("code") ?? "";
    const result = await cca.acquireTokenByCode({
      code,
      redirectUri: REDIRECT_URI,
      scopes: SCOPES,
      codeVerifier: verifier,
    });
    expect(result.idTokenClaims).toMatchObject({ iss: ISSUER, aud: clientId });

    // An assertion for the emulator's loopback token endpoint is not one for this host's.
    const res = await request(`https://${HOST}/${TID}/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: clientId,
        scope: "https://graph.microsoft.com/.default",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await signClientAssertion(certificate, {
          clientId,
          audience: `${emulator.urls.https}/${TID}/oauth2/v2.0/token`,
        }),
      }),
    });
    expect(res.status).toBe(401);
    expect(res.json<{ error_codes: number[] }>().error_codes).toEqual([700023]); // the audience is not this endpoint
  });

  it("makes MSAL refuse a name-based authority without the tenant id host among knownAuthorities, as the real service does", async () => {
    // The real document names the issuer by tenant id, which MSAL's CIAM issuer rule derives
    // from a name-based authority only when told (knownAuthorities).
    const cca = msal(`https://${HOST}/${externalDefaults.subdomain}.onmicrosoft.com`);
    await expect(
      cca.getAuthCodeUrl({ scopes: SCOPES, redirectUri: REDIRECT_URI }),
    ).rejects.toMatchObject({ errorCode: "endpoints_resolution_error" });
  });

  it("serves a certificate that covers the ciamlogin.com names, from its own authority", async () => {
    const peer = await new Promise<X509Certificate>((resolve, reject) => {
      const socket = tlsConnect({
        host: "127.0.0.1",
        port: Number(new URL(emulator.urls.https).port),
        servername: HOST,
        ca: emulator.caCertPem,
      });
      socket.once("secureConnect", () => {
        resolve(new X509Certificate(socket.getPeerCertificate().raw));
        socket.end();
      });
      socket.once("error", reject);
    });
    // checkHost answers with the name that matched: the wildcard covers both host forms.
    expect(peer.checkHost(HOST)).toBe("*.ciamlogin.com");
    expect(peer.checkHost(`${TID}.ciamlogin.com`)).toBe("*.ciamlogin.com");
    expect(peer.checkHost("ciamlogin.com")).toBeUndefined();
    expect(peer.checkIssued(new X509Certificate(emulator.caCertPem))).toBe(true);
  });
});

describe("the emulator's host proxy", () => {
  function connect(authority: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: "127.0.0.1",
        port: proxy.port,
        method: "CONNECT",
        path: authority,
        agent: false,
      });
      req.once("connect", (answer, socket) => {
        socket.destroy();
        resolve(answer.statusCode ?? 0);
      });
      req.once("error", reject);
      req.end();
    });
  }

  it("tunnels the names the emulator owns, on 443 only", async () => {
    expect(await connect(`${HOST}:443`)).toBe(200);
    expect(await connect(`${TID}.ciamlogin.com:443`)).toBe(200);
    expect(await connect(`${HOST}:80`)).toBe(403);
  });

  it("refuses every name the emulator does not own", async () => {
    for (const name of [
      "fabrikamcustomers.ciamlogin.com:443",
      "contoso.ciamlogin.com:443",
      "login.microsoftonline.com:443",
      "localhost:443",
      "127.0.0.1:443",
      `${HOST}.evil.example:443`,
    ]) {
      expect(await connect(name), name).toBe(403);
    }
  });

  it("is no forward proxy: a plain proxied request is refused", async () => {
    const res = await request(`${proxy.url}/`, {
      headers: { host: HOST },
    });
    expect(res.status).toBe(405);
  });

  it("leaves the route's unowned ciamlogin.com names unresolved rather than sent elsewhere", async () => {
    await expect(
      request("https://fabrikamcustomers.ciamlogin.com/x/v2.0/.well-known/openid-configuration", {
        ca: emulator.caCertPem,
      }),
    ).rejects.toThrow(/host proxy refused fabrikamcustomers\.ciamlogin\.com \(HTTP 403\)/);
  });
});

describe("the emulator's listeners", () => {
  it("answer as a ciamlogin.com host on https only, and only for hosts they own", async () => {
    const https = Number(new URL(emulator.urls.https).port);
    const http = Number(new URL(emulator.urls.http).port);
    const path = `/${TID}/v2.0/.well-known/openid-configuration`;
    const status = (port: number, host: string, secure: boolean) =>
      request(`${secure ? "https" : "http"}://127.0.0.1:${port}${path}`, {
        ca: emulator.caCertPem,
        headers: { host },
      }).then((r) => r.status);
    expect(await status(https, HOST, true)).toBe(200);
    expect(await status(https, "fabrikamcustomers.ciamlogin.com", true)).toBe(421);
    expect(await status(http, HOST, false)).toBe(421);
  });
});
