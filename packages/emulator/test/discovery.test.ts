import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONSUMERS_TENANT_ID,
  defaults,
  type RunningEmulator,
  startEmulator,
} from "../src/index.js";
import { request } from "../src/testing/index.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

async function discover(tenant: string) {
  const res = await request(
    `${emulator.urls.https}/${tenant}/v2.0/.well-known/openid-configuration`,
    {
      ca: emulator.caCertPem,
    },
  );
  return { res, doc: res.json<Record<string, unknown>>() };
}

describe("discovery", () => {
  it.each([
    ["a tenant GUID", defaults.contoso, defaults.contoso],
    ["a domain", "contoso.onmicrosoft.com", defaults.contoso],
    ["common", "common", "{tenantid}"],
    ["organizations", "organizations", "{tenantid}"],
    ["consumers", "consumers", CONSUMERS_TENANT_ID],
  ])("answers for %s with Entra's issuer form", async (_, tenant, issuerTenant) => {
    const { res, doc } = await discover(tenant);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toContain("max-age=86400");
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    expect(doc.issuer).toBe(`${emulator.urls.https}/${issuerTenant}/v2.0`);
    const segment = tenant === "contoso.onmicrosoft.com" ? defaults.contoso : tenant;
    expect(doc.token_endpoint).toBe(`${emulator.urls.https}/${segment}/oauth2/v2.0/token`);
    expect(doc.authorization_endpoint).toBe(
      `${emulator.urls.http}/${segment}/oauth2/v2.0/authorize`,
    );
    expect(doc.end_session_endpoint).toBe(`${emulator.urls.http}/${segment}/oauth2/v2.0/logout`);
    expect(doc.response_modes_supported).toEqual(["query", "fragment", "form_post"]);
    expect(doc.frontchannel_logout_supported).toBe(true);
    // Absent at Entra, so clients must not need them.
    expect(doc).not.toHaveProperty("code_challenge_methods_supported");
    expect(doc).not.toHaveProperty("grant_types_supported");
  });

  it("says which tenant is unknown", async () => {
    const { res, doc } = await discover("nowhere.onmicrosoft.com");
    expect(res.status).toBe(400);
    expect(doc.error_description).toMatch(
      /^AADSTS90002: Tenant 'nowhere.onmicrosoft.com' not found/,
    );
  });

  it("answers MSAL's instance discovery with itself as the only host", async () => {
    const host = new URL(emulator.urls.https).host;
    const res = await request(
      `${emulator.urls.https}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${emulator.urls.https}/organizations/oauth2/v2.0/authorize`)}`,
      { ca: emulator.caCertPem },
    );
    expect(res.json()).toEqual({
      tenant_discovery_endpoint: `${emulator.urls.https}/organizations/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });
});

describe("keys", () => {
  it("publishes RSA keys with kid = x5t, x5c and the issuer template, and rotates", async () => {
    const url = `${emulator.urls.https}/${defaults.contoso}/discovery/v2.0/keys`;
    const before = (await request(url, { ca: emulator.caCertPem })).json<{
      keys: Record<string, unknown>[];
    }>();
    expect(before.keys).toHaveLength(1);
    const [key] = before.keys;
    expect(key).toMatchObject({
      kty: "RSA",
      use: "sig",
      e: "AQAB",
      issuer: `${emulator.urls.https}/{tenantid}/v2.0`,
    });
    expect(key?.x5t).toBe(key?.kid);
    expect(String((key?.x5c as string[] | undefined)?.[0])).toMatch(/^MII/);

    const kid = await emulator.control.rotateSigningKeys();
    const after = (await request(url, { ca: emulator.caCertPem })).json<{
      keys: { kid: string }[];
    }>();
    expect(after.keys.map((k) => k.kid)).toEqual([kid, key?.kid]);
    await emulator.control.rotateSigningKeys({ retire: true });
    const retired = (await request(url, { ca: emulator.caCertPem })).json<{
      keys: { kid: string }[];
    }>();
    expect(retired.keys).toHaveLength(1);
    expect(retired.keys.map((k) => k.kid)).not.toContain(kid);
  });
});

describe("transport", () => {
  it("serves localhost over IPv4 and IPv6 loopback", async () => {
    const port = new URL(emulator.urls.http).port;
    for (const host of ["127.0.0.1", "[::1]"]) {
      const res = await request(`http://${host}:${port}/_emulator/style.css`);
      expect(res.status).toBe(200);
    }
  });

  it("keeps idle connections alive for minutes, since MSAL does not retry a closed socket", async () => {
    const res = await request(
      `${emulator.urls.https}/organizations/v2.0/.well-known/openid-configuration`,
      {
        ca: emulator.caCertPem,
        headers: { connection: "keep-alive" },
      },
    );
    expect(res.headers["keep-alive"]).toMatch(/timeout=(\d{3,})/);
  });

  it("answers unknown paths with a 404 that names the path", async () => {
    const res = await request(`${emulator.urls.http}/nope`);
    expect(res.status).toBe(404);
    expect(res.text()).toContain("/nope");
  });
});
