import { ConfidentialClientApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import {
  type MsalNetworkModule,
  type RawResponse,
  type RequestOptions,
  request,
  trustingNetworkClient,
} from "../src/testing/index.js";
import { REDIRECT_URI } from "./support/flow.js";

/**
 * `httpsPages`: a client that refuses every http endpoint, as certified OpenID Connect libraries
 * do, signs in with nothing but the emulator's certificate authority trusted (by the named
 * functions below, never a process-wide switch).
 */
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ httpsPages: true });
});
afterAll(async () => {
  await emulator?.stop();
});

const visited: string[] = [];

/** An https request trusting the emulator's CA; an http URL is refused, as a strict client does. */
function httpsOnlyRequest(url: string | URL, options: RequestOptions = {}): Promise<RawResponse> {
  const target = new URL(url);
  if (target.protocol !== "https:") throw new Error(`refused a plain http endpoint: ${target}`);
  visited.push(target.href);
  return request(target, { ...options, ca: emulator.caCertPem });
}

/** MSAL Node's network client trusting the emulator's CA, refusing http the same way. */
function httpsOnlyMsalClient(): MsalNetworkModule {
  const trusting = trustingNetworkClient(emulator.caCertPem);
  const check = (url: string) => {
    if (!url.startsWith("https://")) throw new Error(`refused a plain http endpoint: ${url}`);
    visited.push(url);
  };
  return {
    sendGetRequestAsync: (url, options) => {
      check(url);
      return trusting.sendGetRequestAsync(url, options);
    },
    sendPostRequestAsync: (url, options) => {
      check(url);
      return trusting.sendPostRequestAsync(url, options);
    },
  };
}

describe("pages over https (httpsPages)", () => {
  it("advertise https authorize and logout endpoints, on the https origin", async () => {
    expect(emulator.urls.pages).toBe(emulator.urls.https);
    const metadata = (
      await httpsOnlyRequest(
        `${emulator.urls.https}/organizations/v2.0/.well-known/openid-configuration`,
      )
    ).json<{ authorization_endpoint: string; end_session_endpoint: string }>();
    expect(metadata.authorization_endpoint).toBe(
      `${emulator.urls.https}/organizations/oauth2/v2.0/authorize`,
    );
    expect(metadata.end_session_endpoint).toBe(
      `${emulator.urls.https}/organizations/oauth2/v2.0/logout`,
    );
  });

  it("let MSAL Node and a client that refuses http complete a sign-in", async () => {
    const msal = new ConfidentialClientApplication({
      auth: {
        clientId: defaults.webApp,
        clientSecret: defaults.webAppSecret,
        authority: emulator.authority("organizations"),
        knownAuthorities: [new URL(emulator.urls.https).host],
      },
      system: { networkClient: httpsOnlyMsalClient() },
    });
    const authorizeUrl = await msal.getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri: REDIRECT_URI,
      nonce: "https-pages-nonce",
      prompt: "login",
    });
    expect(authorizeUrl.startsWith(`${emulator.urls.https}/`)).toBe(true);

    const page = await httpsOnlyRequest(authorizeUrl);
    expect(page.status).toBe(200);
    const form = /<form method="post" action="([^"]+)">[\s\S]*?<\/form>/g;
    const lee = [...page.text().matchAll(form)].find((m) =>
      m[0].includes(`value="${defaults.users.member}"`),
    );
    if (!lee?.[1]) throw new Error("no account form for Lee on the sign-in page");
    const fields = new URLSearchParams();
    for (const [, name = "", value = ""] of lee[0].matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    ))
      fields.set(name, value.replaceAll("&amp;", "&").replaceAll("&quot;", '"'));
    const picked = await httpsOnlyRequest(new URL(lee[1].replaceAll("&amp;", "&"), authorizeUrl), {
      body: fields,
    });
    expect(picked.status).toBe(302);
    const back = new URL(String(picked.headers.location));
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    const code = back.searchParams.get("code") ?? "";

    const result = await msal.acquireTokenByCode({
      code,
      redirectUri: REDIRECT_URI,
      scopes: ["User.Read"],
      nonce: "https-pages-nonce",
    });
    expect(decodeJwt(result.idToken).oid).toBe(defaults.users.member);
    expect(visited.every((url) => url.startsWith("https://"))).toBe(true);
    expect(visited.length).toBeGreaterThan(3);
  });

  it("still answer over http, for a person's browser", async () => {
    const res = await request(`${emulator.urls.http}/organizations/oauth2/v2.0/authorize`);
    // The emulator's own error page (no client_id): the page answered over http.
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.text()).toContain("AADSTS900144");
  });
});

describe("pages by default", () => {
  it("are advertised over http", async () => {
    const plain = await startEmulator();
    try {
      expect(plain.urls.pages).toBe(plain.urls.http);
      const metadata = (
        await request(`${plain.urls.https}/organizations/v2.0/.well-known/openid-configuration`, {
          ca: plain.caCertPem,
        })
      ).json<{ authorization_endpoint: string }>();
      expect(metadata.authorization_endpoint.startsWith(`${plain.urls.http}/`)).toBe(true);
    } finally {
      await plain.stop();
    }
  });
});
