/**
 * Start-up and issuer rules for Entra External ID: a ciamlogin.com host (or `externalId`) makes an
 * app an External ID app, which signs in to one tenant only; the issuer of its tokens must be the
 * `{tenant}.ciamlogin.com` one, and a workforce app refuses that issuer.
 */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { isExternalId, issuerKindProblem } from "../src/config/external-id.js";
import { EntranceError, loadConfig, type NetworkClient } from "../src/index.js";
import { validateIdToken } from "../src/tokens/id-token.js";
import { Metadata } from "../src/tokens/metadata.js";

const TID = "a4b7c1d2-3e5f-4a6b-9c8d-7e6f5a4b3c2d";
const CLIENT = "b5c8d2e3-4f60-4b7c-8d9e-8f7a6b5c4d3e";
const CIAM_ISSUER = `https://${TID}.ciamlogin.com/${TID}/v2.0`;
const WORKFORCE_ISSUER = `https://login.microsoftonline.com/${TID}/v2.0`;
const CIAM_HOST = "https://contosocustomers.ciamlogin.com";

const GOOD = {
  AZURE_TENANT_ID: TID,
  AZURE_CLIENT_ID: CLIENT,
  AZURE_CLIENT_SECRET: "a-client-secret-value",
  AZURE_AUTHORITY_HOST: CIAM_HOST,
  ENTRANCE_BASE_URL: "https://shop.example.com/",
  ENTRANCE_SECRET: "0123456789abcdef0123456789abcdef-new",
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig({}, { ...GOOD, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(EntranceError);
    expect((error as EntranceError).code).toBe("config_invalid");
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("External ID configuration", () => {
  it("is recognized by a ciamlogin.com host, with the global Graph", () => {
    const config = loadConfig({}, GOOD);
    expect(isExternalId(config)).toBe(true);
    expect(config.graphBaseUrl).toBe("https://graph.microsoft.com");
    expect(
      isExternalId(
        loadConfig({}, { ...GOOD, AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com" }),
      ),
    ).toBe(false);
  });

  it("is said explicitly for a custom domain or the emulator (ENTRANCE_EXTERNAL_ID or externalId)", () => {
    const custom = { ...GOOD, AZURE_AUTHORITY_HOST: "https://login.shop.example.com" };
    expect(isExternalId(loadConfig({}, custom))).toBe(false);
    expect(isExternalId(loadConfig({}, { ...custom, ENTRANCE_EXTERNAL_ID: "true" }))).toBe(true);
    expect(isExternalId(loadConfig({ externalId: true }, custom))).toBe(true);
    expect(refusal({ ENTRANCE_EXTERNAL_ID: "yes" })).toContain(
      "externalId (ENTRANCE_EXTERNAL_ID): ENTRANCE_EXTERNAL_ID must be true or false",
    );
  });

  it("accepts the tenant by id or by its onmicrosoft.com domain", () => {
    expect(loadConfig({}, GOOD).tenantId).toBe(TID);
    const byDomain = loadConfig(
      {},
      { ...GOOD, AZURE_TENANT_ID: "contosocustomers.onmicrosoft.com" },
    );
    expect(byDomain.tenantId).toBe("contosocustomers.onmicrosoft.com");
  });

  it.each(["organizations", "common", "consumers"])(
    "refuses tenantId %s: customers sign in to the app's own tenant",
    (tenant) => {
      expect(refusal({ AZURE_TENANT_ID: tenant })).toContain(
        "an External ID app signs customers in to its own tenant",
      );
    },
  );

  it("refuses a personal-account mode and an authority host with a path", () => {
    expect(refusal({ AZURE_TENANT_ID: "common", ENTRANCE_ACCOUNTS: "any" })).toContain(
      "personal Microsoft accounts are not a mode of External ID",
    );
    expect(refusal({ AZURE_AUTHORITY_HOST: `${CIAM_HOST}/${TID}` })).toContain(
      `give the host only, ${CIAM_HOST}`,
    );
  });
});

describe("the issuer's kind", () => {
  const ciam = { authorityHost: CIAM_HOST, externalId: false };
  const workforce = { authorityHost: "https://login.microsoftonline.com", externalId: false };
  const emulated = { authorityHost: "https://localhost:8443", externalId: true };

  it("takes the tenant's own ciamlogin.com issuer at an External ID app", () => {
    expect(issuerKindProblem(ciam, CIAM_ISSUER, TID)).toBeUndefined();
  });

  it("refuses a workforce issuer, or another tenant's, at an External ID app", () => {
    expect(issuerKindProblem(ciam, WORKFORCE_ISSUER, TID)).toMatch(/not the External ID issuer/);
    const other = "c3e5a7b9-1d2f-4a6c-8e0b-5f7d9c1e3a2b";
    expect(issuerKindProblem(ciam, `https://${other}.ciamlogin.com/${other}/v2.0`, TID)).toMatch(
      /not the External ID issuer/,
    );
  });

  it("refuses an External ID issuer at a workforce app", () => {
    expect(issuerKindProblem(workforce, CIAM_ISSUER, TID)).toMatch(/External ID tenant/);
    expect(issuerKindProblem(workforce, WORKFORCE_ISSUER, TID)).toBeUndefined();
  });

  it("leaves an explicit External ID app on another host to its metadata's issuer", () => {
    expect(issuerKindProblem(emulated, `https://localhost:8443/${TID}/v2.0`, TID)).toBeUndefined();
  });
});

/** Forged tokens of the wrong kind against the ID token check, with metadata served from memory. */
describe("ID tokens of the wrong kind of tenant", () => {
  type Key = { privateKey: CryptoKey; jwk: JWK };
  let key: Key;
  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    key = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: "k1", use: "sig" } };
  });

  /** An authority whose discovery document advertises `issuer`. */
  function metadataFor(authority: string, issuer: string): Metadata {
    const network: NetworkClient = {
      async sendGetRequestAsync<T>(url: string) {
        const body = url.endsWith("/openid-configuration")
          ? {
              issuer,
              authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
              token_endpoint: `${authority}/oauth2/v2.0/token`,
              jwks_uri: `${authority}/discovery/v2.0/keys`,
            }
          : { keys: [key.jwk] };
        return { status: 200, headers: {}, body: body as T };
      },
      async sendPostRequestAsync(): Promise<never> {
        throw new Error("no POST expected");
      },
    };
    return new Metadata(authority, network);
  }

  function token(iss: string) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      aud: CLIENT,
      iss,
      tid: TID,
      oid: TID,
      sub: "s",
      nonce: "n",
      iat: now,
      exp: now + 600,
    })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .sign(key.privateKey);
  }

  function check(metadata: Metadata, authorityHost: string, jwt: string) {
    return validateIdToken(jwt, metadata, {
      clientId: CLIENT,
      nonce: "n",
      tenantId: TID,
      allowedTenants: [],
      personalAccounts: false,
      clockSkew: 60,
      issuerKind: (iss, tid) => issuerKindProblem({ authorityHost, externalId: false }, iss, tid),
    });
  }

  it("signs a customer in with the tenant's ciamlogin.com issuer", async () => {
    const metadata = metadataFor(`${CIAM_HOST}/${TID}`, CIAM_ISSUER);
    await expect(check(metadata, CIAM_HOST, await token(CIAM_ISSUER))).resolves.toMatchObject({
      tid: TID,
    });
  });

  it("refuses a workforce token at an External ID app", async () => {
    const metadata = metadataFor(`${CIAM_HOST}/${TID}`, CIAM_ISSUER);
    await expect(check(metadata, CIAM_HOST, await token(WORKFORCE_ISSUER))).rejects.toThrow(
      /issuer .* is not/,
    );
  });

  it("refuses a workforce issuer even when an External ID authority's metadata names it", async () => {
    const metadata = metadataFor(`${CIAM_HOST}/${TID}`, WORKFORCE_ISSUER);
    await expect(check(metadata, CIAM_HOST, await token(WORKFORCE_ISSUER))).rejects.toThrow(
      /not the External ID issuer/,
    );
  });

  it("refuses an External ID token at a workforce app, whatever its metadata names", async () => {
    const authority = `https://login.microsoftonline.com/${TID}`;
    const honest = metadataFor(authority, WORKFORCE_ISSUER);
    await expect(
      check(honest, "https://login.microsoftonline.com", await token(CIAM_ISSUER)),
    ).rejects.toThrow(/issuer .* is not/);
    const misdirected = metadataFor(authority, CIAM_ISSUER);
    await expect(
      check(misdirected, "https://login.microsoftonline.com", await token(CIAM_ISSUER)),
    ).rejects.toThrow(/External ID tenant/);
  });
});
