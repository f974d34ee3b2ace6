import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { NetworkClient } from "../src/index.js";
import { validateIdToken } from "../src/tokens/id-token.js";
import { Metadata } from "../src/tokens/metadata.js";

const AUTHORITY = "https://login.example/organizations";
const ISSUER_TEMPLATE = "https://login.example/{tenantid}/v2.0";
const CLIENT = "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b";
const TENANT = "8d2f4c1a-6b3e-4f5d-9a7c-2e1b0d3c4f5a";
const OTHER_TENANT = "c3e5a7b9-1d2f-4a6c-8e0b-5f7d9c1e3a2b";
const NONCE = "nonce-123";
/** Another app registration's client id, for azp and multi-audience tokens. */
const OTHER_APP = "e7a9c1b3-5d2f-4e6a-8c0b-1f3d5a7c9e2b";

type Key = { privateKey: CryptoKey; jwk: JWK };
let keyA: Key;
let keyB: Key;

async function makeKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" } };
}

/**
 * The provider's documents served from memory: the discovery document and a JWKS that a test can
 * change (key rotation). Counts JWKS fetches.
 */
class ProviderDocuments implements NetworkClient {
  keys: JWK[] = [];
  jwksFetches = 0;
  async sendGetRequestAsync<T>(url: string) {
    if (url.endsWith("/openid-configuration")) {
      const body = {
        issuer: ISSUER_TEMPLATE,
        authorization_endpoint: `${AUTHORITY}/oauth2/v2.0/authorize`,
        token_endpoint: `${AUTHORITY}/oauth2/v2.0/token`,
        jwks_uri: `${AUTHORITY}/discovery/v2.0/keys`,
      };
      return { status: 200, headers: {}, body: body as T };
    }
    this.jwksFetches++;
    return { status: 200, headers: {}, body: { keys: this.keys } as T };
  }
  async sendPostRequestAsync(): Promise<never> {
    throw new Error("no POST expected");
  }
}

function sign(key: Key, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: CLIENT,
    iss: `https://login.example/${TENANT}/v2.0`,
    tid: TENANT,
    oid: "1f0c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    sub: "pairwise-subject",
    nonce: NONCE,
    iat: now,
    nbf: now,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({
      alg: "RS256",
      typ: "JWT",
      ...(key.jwk.kid ? { kid: key.jwk.kid } : {}),
      ...header,
    })
    .sign(key.privateKey);
}

function setup(keys: JWK[]) {
  const network = new ProviderDocuments();
  network.keys = keys;
  const metadata = new Metadata(AUTHORITY, network);
  const expected = {
    clientId: CLIENT,
    nonce: NONCE,
    tenantId: undefined,
    allowedTenants: [],
    personalAccounts: false,
    clockSkew: 300,
  };
  return { network, metadata, expected };
}

beforeAll(async () => {
  keyA = await makeKey("key-a");
  keyB = await makeKey("key-b");
});

describe("ID token validation (relying-party rules)", () => {
  it("accepts a good token and replaces {tenantid} in the issuer with the token's tid", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const claims = await validateIdToken(await sign(keyA, {}), metadata, expected);
    expect(claims.tid).toBe(TENANT);
  });

  it.each([
    [
      "a bad signature",
      async () => `${(await sign(keyA, {})).slice(0, -6)}AAAAAA`,
      /signature does not verify/,
    ],
    [
      "another audience",
      () => sign(keyA, { aud: "00000000-0000-0000-0000-000000000000" }),
      /another audience/,
    ],
    [
      "an issuer of another tenant than tid",
      () => sign(keyA, { iss: `https://login.example/${OTHER_TENANT}/v2.0` }),
      /issuer/,
    ],
    ["a v1 issuer", () => sign(keyA, { iss: `https://sts.windows.net/${TENANT}/` }), /issuer/],
    ["no iat", () => sign(keyA, { iat: undefined }), /iat/],
    ["no sub", () => sign(keyA, { sub: undefined }), /sub/],
    ["an expired token", () => sign(keyA, { exp: Math.floor(Date.now() / 1000) - 400 }), /expired/],
    [
      "a token not valid yet",
      () => sign(keyA, { nbf: Math.floor(Date.now() / 1000) + 400 }),
      /not valid yet/,
    ],
    ["another nonce", () => sign(keyA, { nonce: "other" }), /nonce/],
    ["no nonce", () => sign(keyA, { nonce: undefined }), /nonce/],
  ])("rejects %s", async (_, make, message) => {
    const { metadata, expected } = setup([keyA.jwk]);
    await expect(validateIdToken(await make(), metadata, expected)).rejects.toMatchObject({
      code: "id_token_invalid",
      message: expect.stringMatching(message),
    });
  });

  it("accepts skew within the allowed clock difference", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const token = await sign(keyA, { nbf: Math.floor(Date.now() / 1000) + 200 });
    await expect(validateIdToken(token, metadata, expected)).resolves.toMatchObject({
      tid: TENANT,
    });
  });

  it("rejects an aud array whose azp names another app", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const token = await sign(keyA, { aud: [CLIENT, OTHER_APP], azp: OTHER_APP });
    await expect(validateIdToken(token, metadata, expected)).rejects.toMatchObject({
      code: "id_token_invalid",
      message: expect.stringMatching(/authorized party/),
    });
  });

  it("rejects an aud array without azp", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const token = await sign(keyA, { aud: [CLIENT, OTHER_APP] });
    await expect(validateIdToken(token, metadata, expected)).rejects.toMatchObject({
      code: "id_token_invalid",
      message: expect.stringMatching(/azp/),
    });
  });

  it("accepts an aud array whose azp is this app", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const token = await sign(keyA, { aud: [CLIENT, OTHER_APP], azp: CLIENT });
    await expect(validateIdToken(token, metadata, expected)).resolves.toMatchObject({
      tid: TENANT,
    });
  });

  it("rejects a single aud with an azp of another app", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const token = await sign(keyA, { azp: OTHER_APP });
    await expect(validateIdToken(token, metadata, expected)).rejects.toMatchObject({
      code: "id_token_invalid",
      message: expect.stringMatching(/authorized party/),
    });
  });

  it("rejects an iat in the future beyond the clock skew", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(keyA, { iat: now + 30 * 24 * 3600, exp: now + 31 * 24 * 3600 });
    await expect(validateIdToken(token, metadata, expected)).rejects.toMatchObject({
      code: "id_token_invalid",
      message: expect.stringMatching(/issued in the future/),
    });
    const justBeyond = await sign(keyA, { iat: now + 400 });
    await expect(validateIdToken(justBeyond, metadata, expected)).rejects.toMatchObject({
      code: "id_token_invalid",
    });
  });

  it("accepts an iat in the future within the clock skew", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const token = await sign(keyA, { iat: Math.floor(Date.now() / 1000) + 200 });
    await expect(validateIdToken(token, metadata, expected)).resolves.toMatchObject({
      tid: TENANT,
    });
  });

  it("rejects alg none", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const body = Buffer.from(JSON.stringify({ aud: CLIENT, tid: TENANT, nonce: NONCE })).toString(
      "base64url",
    );
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${body}.`;
    await expect(validateIdToken(none, metadata, expected)).rejects.toThrow(/algorithm is none/);
  });

  it("accepts a rotated key after one JWKS refetch, and rejects an unknown kid after it", async () => {
    const { network, metadata, expected } = setup([keyA.jwk]);
    await validateIdToken(await sign(keyA, {}), metadata, expected);
    expect(network.jwksFetches).toBe(1);
    network.keys = [keyB.jwk];
    await expect(validateIdToken(await sign(keyB, {}), metadata, expected)).resolves.toBeTruthy();
    expect(network.jwksFetches).toBe(2);
    const stranger = await makeKey("key-unknown");
    await expect(validateIdToken(await sign(stranger, {}), metadata, expected)).rejects.toThrow(
      /key the provider does not publish/,
    );
    // The refetch right after the last one is skipped: forged kids cannot make us hammer the provider.
    expect(network.jwksFetches).toBe(2);
  });

  it("rejects a token without kid when several keys could match", async () => {
    const { metadata, expected } = setup([keyA.jwk, keyB.jwk]);
    const { kid: _omitted, ...withoutKid } = keyA.jwk;
    const token = await sign({ ...keyA, jwk: withoutKid }, {});
    await expect(validateIdToken(token, metadata, expected)).rejects.toThrow(
      /no key id|signature|several/,
    );
  });

  it("rejects another tenant than the configured one (mix-up)", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    const token = await sign(keyA, {
      tid: OTHER_TENANT,
      iss: `https://login.example/${OTHER_TENANT}/v2.0`,
    });
    await expect(
      validateIdToken(token, metadata, { ...expected, tenantId: TENANT }),
    ).rejects.toThrow(/not the expected/);
  });

  it("refuses personal accounts unless the app opted in, even with their tenant allow-listed", async () => {
    const consumers = "9188040d-6c67-4c5b-b112-36a304b66dad";
    const { metadata, expected } = setup([keyA.jwk]);
    const token = await sign(keyA, {
      tid: consumers,
      iss: `https://login.example/${consumers}/v2.0`,
    });
    await expect(validateIdToken(token, metadata, expected)).rejects.toMatchObject({
      code: "tenant_not_allowed",
      message: expect.stringMatching(/personal Microsoft account/),
    });
    await expect(
      validateIdToken(token, metadata, { ...expected, allowedTenants: [consumers] }),
    ).rejects.toMatchObject({ code: "tenant_not_allowed" });
    await expect(
      validateIdToken(token, metadata, { ...expected, personalAccounts: true }),
    ).resolves.toMatchObject({ tid: consumers });
    // With an allow-list, an opted-in app still lets in only the tenants listed.
    await expect(
      validateIdToken(token, metadata, {
        ...expected,
        personalAccounts: true,
        allowedTenants: [TENANT],
      }),
    ).rejects.toMatchObject({ code: "tenant_not_allowed" });
  });

  it("rejects a tenant outside the allow-list with tenant_not_allowed", async () => {
    const { metadata, expected } = setup([keyA.jwk]);
    await expect(
      validateIdToken(await sign(keyA, {}), metadata, {
        ...expected,
        allowedTenants: [OTHER_TENANT],
      }),
    ).rejects.toMatchObject({ code: "tenant_not_allowed" });
  });
});
