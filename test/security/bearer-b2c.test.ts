/**
 * Bearer tokens in an Azure AD B2C app: `requireBearer` picks the keys a token is verified with
 * from the policy its unverified `tfp` (or `acr`) names, so that claim is the attacker's first
 * lever. Each case is what a forger would try with it: a policy the app lacks (to make the API
 * fetch metadata of the forger's choosing), one policy's key passing for another's, `tfp` and
 * `acr` pulling two ways, names that only look like the app's policies, and claims of the wrong
 * type. Real tokens from the emulator, whose custom policy signs with a key of its own, and tokens
 * forged with the user flows' key and the custom policy's, both read from its data folder.
 */
import { createPrivateKey } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bearerGuard,
  createEntrance,
  createMemoryStore,
  type Entrance,
  type EntranceOptions,
  type Guard,
  trustCertificateAuthority,
} from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  b2cAccessClaims,
  customerToken,
  rewritten,
  withB2cPolicies,
} from "../../packages/core/test/support/b2c.js";
import { activeSigningKey, callApi, signToken } from "../../packages/core/test/support/bearer.js";
import { APP_BASE, SECRET } from "../../packages/core/test/support/emulated.js";

const B2C = defaults.b2c;
/** A custom sign-up/sign-in policy: it signs with a key of its own. */
const CUSTOM = "B2C_1A_signup_signin";
/** A user flow with a `k`, the one ASCII letter a non-ASCII character lower-cases to (U+212A). */
const KIOSK = "B2C_1_kiosk";
const SCOPE = `https://${B2C.domain}/${B2C.webApp}/Orders.Read`;

let emulator: RunningEmulator;
let dataDir: string;
/** The user flows' shared key, read from the emulator's data folder. */
let userFlowKey: Awaited<ReturnType<typeof activeSigningKey>>;
/** The custom policy's own key, read from the emulator's data folder too. */
let customKey: Awaited<ReturnType<typeof activeSigningKey>>;
/** A customer's real access tokens, from the custom policy and from the sign-in user flow. */
let customToken: string;
let userFlowToken: string;

function b2cApp(
  b2c: NonNullable<EntranceOptions["b2c"]>,
  overrides: Partial<EntranceOptions> = {},
): Entrance {
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
    logger: { warn: () => {}, error: () => {} },
    b2c,
    ...overrides,
  });
}

/** A customer's real access token for the API's scope, from `policy` through its pages. */
const accessTokenOf = (policy: string) =>
  customerToken(emulator, b2cApp({ signUpSignIn: policy }, { scopes: [SCOPE] }), SCOPE);
/** Sound B2C access-token claims, as the user flows issue them, to break one at a time. */
const b2cClaims = (overrides: Record<string, unknown> = {}) => b2cAccessClaims(emulator, overrides);

/** An API of the app with these policies and the route's guard. */
function api(policies: NonNullable<EntranceOptions["b2c"]>): { app: Entrance; guard: Guard } {
  const app = b2cApp(policies);
  return { app, guard: app.guard(bearerGuard({ scopes: ["Orders.Read"] })) };
}

/** Asserts the 401 invalid_token answer for `reason`, naming no part of the token. */
async function expectRefused(
  { app, guard }: { app: Entrance; guard: Guard },
  token: string,
  reason: string,
) {
  const { answer, context } = await callApi(app, guard, `Bearer ${token}`);
  // The claims name the case that failed; the token itself never goes into the test's output.
  const claims = JSON.stringify(decodeJwt(token));
  expect(answer?.status, claims).toBe(401);
  const body = await answer?.json();
  expect(body, claims).toMatchObject({
    error: "bearer_token_invalid",
    reason,
  });
  expect(context.caller).toBeNull();
  const challenge = answer?.headers.get("www-authenticate") ?? "";
  for (const part of token.split(".").filter((p) => p.length > 8)) {
    expect(challenge).not.toContain(part);
    expect(JSON.stringify(body)).not.toContain(part);
  }
}

/** The emulator's metadata and key requests since its counts were last reset. */
function metadataFetches(): number {
  const counts = emulator.control.counts();
  return (counts.discovery ?? 0) + (counts.keys ?? 0);
}

/**
 * An API that has already read what it reads anyway (the user flow's metadata and keys, the
 * custom policy's), with the emulator's counts reset: any fetch from now on is one a token caused.
 */
async function warmedApi(policies: NonNullable<EntranceOptions["b2c"]>) {
  const warmed = api(policies);
  for (const token of [userFlowToken, customToken]) {
    const policy = String(decodeJwt(token).tfp).toLowerCase();
    const configured = Object.values(policies).map((name) => name?.toLowerCase());
    if (configured.includes(policy)) {
      expect((await callApi(warmed.app, warmed.guard, `Bearer ${token}`)).answer).toBeNull();
    }
  }
  emulator.control.resetCounts();
  return warmed;
}

const POLICIES = { signUpSignIn: B2C.signUpSignIn, editProfile: CUSTOM };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-security-b2c-"));
  emulator = await startEmulator({ dataDir, directory: withB2cPolicies([CUSTOM, KIOSK]) });
  userFlowKey = await activeSigningKey(dataDir);
  customToken = await accessTokenOf(CUSTOM);
  userFlowToken = await accessTokenOf(B2C.signUpSignIn);
  const stored = JSON.parse(await readFile(join(dataDir, "policy-keys.json"), "utf8")) as Record<
    string,
    { kid: string; privateKeyPem: string }[]
  >;
  const [active] = stored[`${B2C.tenant}/${CUSTOM.toLowerCase()}`] ?? [];
  if (!active) throw new Error("the emulator keeps no key for the custom policy");
  customKey = { kid: active.kid, privateKey: createPrivateKey(active.privateKeyPem) };
  // The premise of every case: the custom policy and the user flows sign with different keys.
  expect(decodeProtectedHeader(customToken).kid).not.toBe(decodeProtectedHeader(userFlowToken).kid);
  expect(decodeProtectedHeader(userFlowToken).kid).toBe(userFlowKey.kid);
  expect(decodeProtectedHeader(customToken).kid).toBe(customKey.kid);
});

afterAll(async () => {
  await emulator?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("Bearer tokens in an Azure AD B2C app", () => {
  it("the app's own tokens, of its user flow and of its custom policy, are accepted (the control case)", async () => {
    const target = api(POLICIES);
    for (const token of [userFlowToken, customToken]) {
      const { answer, context } = await callApi(target.app, target.guard, `Bearer ${token}`);
      expect(answer).toBeNull();
      expect(context.caller).toMatchObject({ tenantId: B2C.tenant, objectId: B2C.customer });
    }
  });

  it("a token naming a policy the app lacks: refused as policy, no metadata fetched for it", async () => {
    const target = await warmedApi(POLICIES);
    const strangers = [
      // The tenant has it (the emulator would serve its metadata), the app does not.
      await signToken(userFlowKey, b2cClaims({ tfp: B2C.passwordReset })),
      await signToken(userFlowKey, b2cClaims({ tfp: undefined, acr: "B2C_1A_attacker" })),
      // A kid nobody publishes and a name nobody has: still no fetch, for name nor key.
      await signToken(
        { ...userFlowKey, kid: "forged-kid" },
        b2cClaims({ tfp: "B2C_1A_TrustFrameworkBase" }),
      ),
      // A name shaped like a path or a URL, in case it were ever spliced into the metadata's.
      await signToken(userFlowKey, b2cClaims({ tfp: "../../contoso.onmicrosoft.com/v2.0" })),
      await signToken(userFlowKey, b2cClaims({ tfp: "https://attacker.example/B2C_1A_x" })),
      await signToken(userFlowKey, b2cClaims({ tfp: "" })),
      rewritten(customToken, { tfp: B2C.profileEdit }),
    ];
    for (const token of strangers) await expectRefused(target, token, "policy");
    expect(metadataFetches()).toBe(0);
  });

  it("a custom policy's token with tfp rewritten to the sign-up/sign-in user flow: its key is not the user flow's", async () => {
    const target = await warmedApi(POLICIES);
    const asUserFlow = rewritten(customToken, { tfp: B2C.signUpSignIn });
    await expectRefused(target, asUserFlow, "key_unknown");
    // As acr instead of tfp, the same.
    const viaAcr = rewritten(customToken, { tfp: undefined, acr: B2C.signUpSignIn });
    await expectRefused(target, viaAcr, "key_unknown");
    // Even soundly signed with the custom policy's own key, a token naming the user flow is
    // checked against the user flow's keys, which do not hold it.
    const signed = await signToken(customKey, b2cClaims({ tfp: B2C.signUpSignIn }));
    await expectRefused(target, signed, "key_unknown");
    // The same key and claims naming the custom policy pass: the refusals are the policy's.
    const honest = await signToken(customKey, b2cClaims({ tfp: CUSTOM }));
    expect((await callApi(target.app, target.guard, `Bearer ${honest}`)).answer).toBeNull();
    // The user flow's keys were asked once for the unknown key id, the custom policy's never.
    expect(emulator.control.counts().keys ?? 0).toBeLessThanOrEqual(1);
    expect(emulator.control.counts().discovery ?? 0).toBe(0);
  });

  it("a token signed with the user flows' key claiming the custom policy: the custom policy's keys lack it", async () => {
    const target = await warmedApi(POLICIES);
    for (const claim of [{ tfp: CUSTOM }, { tfp: undefined, acr: CUSTOM }]) {
      const forged = await signToken(userFlowKey, b2cClaims(claim));
      await expectRefused(target, forged, "key_unknown");
    }
    // With the user flow named instead, the same key and claims pass: the refusal is the key's.
    const honest = await signToken(userFlowKey, b2cClaims());
    expect((await callApi(target.app, target.guard, `Bearer ${honest}`)).answer).toBeNull();
  });

  it("tfp and acr naming different policies (B2C sends one of them): refused as policy, before any fetch", async () => {
    const target = await warmedApi(POLICIES);
    // Either claim could pick the keys; the two must not disagree, whichever key signed.
    const twoWays = [
      await signToken(userFlowKey, b2cClaims({ tfp: B2C.signUpSignIn, acr: CUSTOM })),
      await signToken(userFlowKey, b2cClaims({ tfp: CUSTOM, acr: B2C.signUpSignIn })),
      await signToken(userFlowKey, b2cClaims({ tfp: B2C.signUpSignIn, acr: B2C.passwordReset })),
      rewritten(customToken, { acr: B2C.signUpSignIn }),
    ];
    for (const token of twoWays) await expectRefused(target, token, "policy");
    expect(metadataFetches()).toBe(0);
    // Both naming the same policy (a custom policy may emit both), in any letter case, is one.
    const agreeing = await signToken(
      userFlowKey,
      b2cClaims({ tfp: B2C.signUpSignIn, acr: B2C.signUpSignIn.toUpperCase() }),
    );
    expect((await callApi(target.app, target.guard, `Bearer ${agreeing}`)).answer).toBeNull();
  });

  it("a policy name that only looks like the app's (Kelvin sign, dotless or dotted i, fullwidth, invisible characters): refused as policy", async () => {
    const target = await warmedApi({ ...POLICIES, resetPassword: KIOSK });
    const lookAlikes = [
      // U+212A KELVIN SIGN lower-cases to an ASCII "k": "B2C_1_Kiosk" with it is not KIOSK.
      "B2C_1_\u212Aiosk",
      "B2C_1_\u212AIOSK",
      // Turkish dotless ı and dotted İ.
      "B2C_1_s\u0131gnups\u0131gn\u0131n",
      "B2C_1_S\u0130GNUPS\u0130GN\u0130N",
      // Fullwidth letters and digits.
      "\uff22\uff12\uff23_1_signupsignin",
      "B2C_1_\uff53ignupsignin",
      // Invisible or trailing characters around a real name.
      `${B2C.signUpSignIn}\u200b`,
      `\ufeff${B2C.signUpSignIn}`,
      `${B2C.signUpSignIn} `,
      `${B2C.signUpSignIn}\u0000`,
      // A combining mark after a letter (i + U+0307), and the long s.
      "B2C_1_si\u0307gnupsignin",
      "B2C_1_\u017fignupsignin",
    ];
    for (const name of lookAlikes) {
      for (const claim of [{ tfp: name }, { tfp: undefined, acr: name }]) {
        await expectRefused(target, await signToken(userFlowKey, b2cClaims(claim)), "policy");
      }
    }
    expect(metadataFetches()).toBe(0);
    // The real names, in any ASCII letter case, are the app's.
    for (const name of [KIOSK, KIOSK.toUpperCase(), B2C.signUpSignIn.toUpperCase()]) {
      const token = await signToken(userFlowKey, b2cClaims({ tfp: name }));
      expect((await callApi(target.app, target.guard, `Bearer ${token}`)).answer).toBeNull();
    }
  });

  it("a tfp or acr that is no string (array, object, number, boolean, null): refused as claims, before any fetch", async () => {
    const target = await warmedApi(POLICIES);
    const notStrings: unknown[] = [
      [B2C.signUpSignIn],
      [CUSTOM, B2C.signUpSignIn],
      { toLowerCase: B2C.signUpSignIn },
      { [B2C.signUpSignIn.toLowerCase()]: true },
      42,
      true,
      null,
    ];
    for (const value of notStrings) {
      for (const claims of [
        { tfp: value },
        { tfp: undefined, acr: value },
        // The other claim sound: the odd one is not passed over for it.
        { tfp: value, acr: B2C.signUpSignIn },
        { tfp: B2C.signUpSignIn, acr: value },
      ]) {
        await expectRefused(target, await signToken(userFlowKey, b2cClaims(claims)), "claims");
      }
    }
    expect(metadataFetches()).toBe(0);
  });
});
