/**
 * `requireBearer` in an Azure AD B2C app verifies each token with the keys of the policy it names:
 * a custom policy (`B2C_1A_…`) signs with a key of its own, published only in its own metadata,
 * while the user flows share the tenant's key. The policy is read from the unverified `tfp` (or
 * `acr`) and used only when it is one of the app's: any other name is refused before anything
 * is fetched, so a token cannot make the API read the metadata of a policy it chose. Real tokens
 * from the emulator, whose custom policy signs with its own key.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bearerGuard,
  createEntrance,
  createMemoryStore,
  type EntranceOptions,
  trustCertificateAuthority,
} from "../src/index.js";
import { b2cAccessClaims, customerToken, rewritten, withB2cPolicies } from "./support/b2c.js";
import { activeSigningKey, callApi, signToken } from "./support/bearer.js";
import { APP_BASE, SECRET } from "./support/emulated.js";

const B2C = defaults.b2c;
/** A custom sign-up/sign-in policy the emulator's B2C tenant gets for these tests. */
const CUSTOM = "B2C_1A_signup_signin";
const B2C_SCOPE = `https://${B2C.domain}/${B2C.webApp}/Orders.Read`;

let emulator: RunningEmulator;
let dataDir: string;
/** The emulator's shared user-flow key, read from its data folder. */
let userFlowKey: Awaited<ReturnType<typeof activeSigningKey>>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-bearer-b2c-policies-"));
  emulator = await startEmulator({ dataDir, directory: withB2cPolicies([CUSTOM]) });
  userFlowKey = await activeSigningKey(dataDir);
});
afterAll(async () => {
  await emulator?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function b2cApp(
  b2c: NonNullable<EntranceOptions["b2c"]>,
  overrides: Partial<EntranceOptions> = {},
) {
  return createEntrance({
    tenantId: B2C.domain,
    clientId: B2C.webApp,
    clientSecret: B2C.webAppSecret,
    authorityHost: emulator.urls.https,
    baseUrl: APP_BASE,
    secrets: [SECRET],
    trust: trustCertificateAuthority(emulator.caCertPem),
    env: {},
    store: createMemoryStore(),
    b2c,
    ...overrides,
  });
}

/** The API: signs in with the user flow, edits profiles with the custom policy. */
const API_POLICIES = { signUpSignIn: B2C.signUpSignIn, editProfile: CUSTOM };

/** A customer's real access token for the API's scope, from `policy` through its pages. */
const accessTokenOf = (policy: string) =>
  customerToken(emulator, b2cApp({ signUpSignIn: policy }, { scopes: [B2C_SCOPE] }), B2C_SCOPE);
const b2cClaims = (overrides: Record<string, unknown> = {}) => b2cAccessClaims(emulator, overrides);

async function reasonOf(answer: Response | null): Promise<string | undefined> {
  expect(answer?.status).toBe(401);
  return ((await answer?.json()) as { reason?: string } | undefined)?.reason;
}

/** The emulator's metadata and key requests since the counts were last reset. */
function metadataFetches(): number {
  const counts = emulator.control.counts();
  return (counts.discovery ?? 0) + (counts.keys ?? 0);
}

let customToken: string;
let userFlowToken: string;

describe("requireBearer in a B2C app with a custom policy", () => {
  beforeAll(async () => {
    customToken = await accessTokenOf(CUSTOM);
    userFlowToken = await accessTokenOf(B2C.signUpSignIn);
    // The emulator's custom policy signs with a key of its own: the two kids differ.
    expect(decodeProtectedHeader(customToken).kid).not.toBe(
      decodeProtectedHeader(userFlowToken).kid,
    );
  });

  it("accepts a real token of its custom policy, verified with that policy's own keys", async () => {
    expect(decodeJwt(customToken)).toMatchObject({ tfp: CUSTOM, aud: B2C.webApp });
    const api = b2cApp(API_POLICIES);
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    const { answer, context } = await callApi(api, guard, `Bearer ${customToken}`);
    expect(answer).toBeNull();
    expect(context.caller).toMatchObject({ tenantId: B2C.tenant, objectId: B2C.customer });
    expect(context.caller?.claims.tfp).toBe(CUSTOM);
    // Kept verified with the policy it was checked against: the second call takes it as well.
    expect((await callApi(api, guard, `Bearer ${customToken}`)).answer).toBeNull();
  });

  it("still accepts a user flow's real token, with the user flows' shared key", async () => {
    const api = b2cApp(API_POLICIES);
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    expect((await callApi(api, guard, `Bearer ${customToken}`)).answer).toBeNull();
    const { answer, context } = await callApi(api, guard, `Bearer ${userFlowToken}`);
    expect(answer).toBeNull();
    expect(context.caller?.claims.tfp).toBe(B2C.signUpSignIn);
  });

  it("refuses a token naming a policy it is not configured with, fetching nothing for it", async () => {
    const api = b2cApp(API_POLICIES);
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    // The user flow's metadata and keys are read first, so that only a new fetch could count.
    expect((await callApi(api, guard, `Bearer ${userFlowToken}`)).answer).toBeNull();
    emulator.control.resetCounts();
    const strangers = [
      // A policy the tenant has (the emulator would answer its metadata) but the app lacks.
      await signToken(userFlowKey, b2cClaims({ tfp: B2C.passwordReset })),
      await signToken(userFlowKey, b2cClaims({ tfp: undefined, acr: "B2C_1A_attacker" })),
      await signToken(
        { ...userFlowKey, kid: "a-kid-nobody-publishes" },
        b2cClaims({ tfp: "B2C_1A_elsewhere" }),
      ),
      rewritten(customToken, { tfp: "B2C_1A_TrustFrameworkBase" }),
    ];
    for (const token of strangers) {
      expect(await reasonOf((await callApi(api, guard, `Bearer ${token}`)).answer)).toBe("policy");
    }
    expect(metadataFetches()).toBe(0);
    // The counts do see a fetch: the custom policy's metadata and keys, on its first token.
    expect((await callApi(api, guard, `Bearer ${customToken}`)).answer).toBeNull();
    expect(metadataFetches()).toBe(2);
  });

  it("refuses a token with neither tfp nor acr, before fetching anything", async () => {
    const api = b2cApp(API_POLICIES);
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    // As above: what the app reads anyway is read first.
    expect((await callApi(api, guard, `Bearer ${userFlowToken}`)).answer).toBeNull();
    emulator.control.resetCounts();
    for (const token of [
      await signToken(userFlowKey, b2cClaims({ tfp: undefined })),
      rewritten(customToken, { tfp: undefined }),
      await signToken(userFlowKey, b2cClaims({ tfp: 42 })),
    ]) {
      expect(await reasonOf((await callApi(api, guard, `Bearer ${token}`)).answer)).toBe("claims");
    }
    expect(metadataFetches()).toBe(0);
  });

  it("refuses a token whose policy claim names another configured policy than the key that signed it", async () => {
    const api = b2cApp(API_POLICIES);
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    // Signed with the custom policy's key, its tfp rewritten to the user flow: the user flow's
    // keys are used, and they do not hold the custom policy's key.
    const asUserFlow = rewritten(customToken, { tfp: B2C.signUpSignIn });
    expect(await reasonOf((await callApi(api, guard, `Bearer ${asUserFlow}`)).answer)).toBe(
      "key_unknown",
    );
    // Signed with the user flows' key while naming the custom policy: its keys lack that key.
    const asCustom = await signToken(userFlowKey, b2cClaims({ tfp: CUSTOM }));
    expect(await reasonOf((await callApi(api, guard, `Bearer ${asCustom}`)).answer)).toBe(
      "key_unknown",
    );
    // The same bytes with the right policy still verify: the refusals came from the key choice.
    expect((await callApi(api, guard, `Bearer ${customToken}`)).answer).toBeNull();
  });

  it("refetches a policy's keys for unknown key ids once, then waits out the cooldown", async () => {
    const api = b2cApp(API_POLICIES);
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    expect((await callApi(api, guard, `Bearer ${customToken}`)).answer).toBeNull();
    emulator.control.resetCounts();
    for (let i = 0; i < 5; i++) {
      const forged = await signToken(
        { ...userFlowKey, kid: `made-up-${i}` },
        b2cClaims({ tfp: CUSTOM }),
      );
      expect(await reasonOf((await callApi(api, guard, `Bearer ${forged}`)).answer)).toBe(
        "key_unknown",
      );
    }
    expect(emulator.control.counts()).toMatchObject({ keys: 1 });
    expect(emulator.control.counts().discovery ?? 0).toBe(0);
  });

  it("takes a custom sign-up/sign-in policy with a user flow beside it, policy names in any case", async () => {
    const api = b2cApp({ signUpSignIn: CUSTOM.toUpperCase(), editProfile: B2C.profileEdit });
    const guard = api.guard(bearerGuard({ scopes: ["Orders.Read"] }));
    expect((await callApi(api, guard, `Bearer ${customToken}`)).answer).toBeNull();
    const profile = await signToken(
      userFlowKey,
      b2cClaims({ tfp: undefined, acr: B2C.profileEdit.toLowerCase() }),
    );
    expect((await callApi(api, guard, `Bearer ${profile}`)).answer).toBeNull();
    // The sign-in user flow is not this app's.
    expect(await reasonOf((await callApi(api, guard, `Bearer ${userFlowToken}`)).answer)).toBe(
      "policy",
    );
  });
});
