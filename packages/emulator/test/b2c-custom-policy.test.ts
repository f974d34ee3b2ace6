/**
 * B2C custom policies (`B2C_1A_…`) sign with a key of their own, published only in their own
 * JWKS, while the tenant's user flows share one key: a token of a custom policy verifies with
 * that policy's keys and with no user flow's, and the other way round.
 */
import { createHash, randomBytes } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DirectoryInput,
  defaultDirectory,
  defaults,
  type RunningEmulator,
  startEmulator,
} from "../src/index.js";
import {
  openB2cPage,
  request,
  submitB2cForm,
  trustingNetworkClient,
} from "../src/testing/index.js";

const REDIRECT_URI = "http://localhost:3000/auth/callback";
const B2C = defaults.b2c;
const CUSTOM = "B2C_1A_signup_signin";
const API_SCOPE = `https://${B2C.domain}/${B2C.webApp}/Orders.Read`;
let emulator: RunningEmulator;

/** The default directory with a custom sign-up/sign-in policy added to the B2C tenant. */
function withCustomPolicy(): DirectoryInput {
  return {
    ...defaultDirectory,
    tenants: defaultDirectory.tenants.map((tenant) =>
      tenant.id === B2C.tenant && tenant.b2c
        ? {
            ...tenant,
            b2c: {
              ...tenant.b2c,
              userFlows: [...tenant.b2c.userFlows, { name: CUSTOM, type: "signUpSignIn" }],
            },
          }
        : tenant,
    ),
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ directory: withCustomPolicy() });
});
afterAll(() => emulator.stop());

const authority = (policy: string) => `${emulator.urls.https}/${B2C.domain}/${policy}`;

async function jwksOf(policy: string): Promise<JSONWebKeySet> {
  const doc = await request(`${authority(policy)}/v2.0/.well-known/openid-configuration`, {
    ca: emulator.caCertPem,
  });
  const uri = doc.json<{ jwks_uri: string }>().jwks_uri;
  expect(uri).toBe(
    `${emulator.urls.https}/${B2C.domain}/${policy.toLowerCase()}/discovery/v2.0/keys`,
  );
  return (await request(uri, { ca: emulator.caCertPem })).json<JSONWebKeySet>();
}

/** A customer's ID and access tokens from `policy`, signed in through its pages and MSAL Node. */
async function tokensOf(policy: string) {
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: B2C.webApp,
      clientSecret: B2C.webAppSecret,
      authority: authority(policy),
      knownAuthorities: [new URL(emulator.urls.https).host],
    },
    system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
  });
  const verifier = randomBytes(32).toString("base64url");
  const url = await cca.getAuthCodeUrl({
    scopes: [API_SCOPE],
    redirectUri: REDIRECT_URI,
    codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
    codeChallengeMethod: "S256",
  });
  const page = await openB2cPage(emulator, url);
  const back = await submitB2cForm(emulator, page, url, {
    email: B2C.customerEmail,
    password: B2C.customerPassword,
  });
  const result = await cca.acquireTokenByCode({
    code: new URL(back.location ?? "http://x/").searchParams.get("code") ?? "",
    redirectUri: REDIRECT_URI,
    scopes: [API_SCOPE],
    codeVerifier: verifier,
  });
  return { idToken: result.idToken, accessToken: result.accessToken };
}

const kids = (set: JSONWebKeySet) => set.keys.map((key) => key.kid);

describe("a B2C custom policy's signing key", () => {
  it("is its own: published in its JWKS only, apart from the user flows' shared key", async () => {
    const custom = await jwksOf(CUSTOM);
    const signIn = await jwksOf(B2C.signUpSignIn);
    const profile = await jwksOf(B2C.profileEdit);
    expect(kids(custom)).toHaveLength(1);
    expect(kids(signIn)).toEqual(kids(profile));
    expect(kids(signIn)).not.toContain(kids(custom)[0]);
    // The path's letter case names the same policy, hence the same key.
    expect(kids(await jwksOf(CUSTOM.toUpperCase()))).toEqual(kids(custom));
  });

  it("signs the custom policy's tokens, which verify with its keys and not with a user flow's", async () => {
    const { idToken, accessToken } = await tokensOf(CUSTOM);
    const custom = createLocalJWKSet(await jwksOf(CUSTOM));
    const signIn = createLocalJWKSet(await jwksOf(B2C.signUpSignIn));
    for (const token of [idToken, accessToken]) {
      expect(decodeProtectedHeader(token).kid).toBe(kids(await jwksOf(CUSTOM))[0]);
      const { payload } = await jwtVerify(token, custom);
      expect(payload.tfp).toBe(CUSTOM);
      await expect(jwtVerify(token, signIn)).rejects.toThrow();
    }
  });

  it("leaves the user flows signing with the tenant's shared key", async () => {
    const { accessToken } = await tokensOf(B2C.signUpSignIn);
    const { payload } = await jwtVerify(
      accessToken,
      createLocalJWKSet(await jwksOf(B2C.profileEdit)),
    );
    expect(payload).toMatchObject({ tfp: B2C.signUpSignIn, scp: "Orders.Read" });
    await expect(jwtVerify(accessToken, createLocalJWKSet(await jwksOf(CUSTOM)))).rejects.toThrow();
  });
});
