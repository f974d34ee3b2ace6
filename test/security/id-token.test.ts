/**
 * A hostile identity provider: the emulator breaks one relying-party rule in the next ID token of
 * the app, and Entrance (Express, SQLite) must refuse the sign-in with a stable code and keep
 * nothing — or, for what the rules allow (no kid with one key, a rotated key), sign the user in.
 */
import {
  defaults,
  type IdTokenDefect,
  type RunningEmulator,
  startEmulator,
} from "@entrance/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectRefused, expectSignedIn, SIGNED_IN } from "./support/refusal.js";
import { type RelyingParty, relyingParty } from "./support/relying-party.js";

let emulator: RunningEmulator;
let rp: RelyingParty | undefined;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  emulator.control.clearFaults();
  await rp?.close();
  rp = undefined;
});
afterAll(async () => {
  await emulator?.stop();
});

/** A fresh app, and its sign-in with `defect` in the ID token. */
async function signInWith(defect: IdTokenDefect) {
  rp = await relyingParty(emulator);
  emulator.control.queueFault("token", { kind: "id_token", defect }, 1, {
    clientId: defaults.webApp,
  });
  return { rp, response: await rp.attempt(SIGNED_IN) };
}

const REFUSED: readonly { case: string; defect: IdTokenDefect; status: number; code: string }[] = [
  {
    case: "a signature that does not verify",
    defect: "bad-signature",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "alg none without a signature",
    defect: "alg-none",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "HS256 signed with the published RSA public key",
    defect: "hs256-public-key",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "a kid never published, after one JWKS refetch",
    defect: "unknown-kid",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "an audience that is another app",
    defect: "wrong-aud",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "an aud array with a foreign azp",
    defect: "aud-array-foreign-azp",
    status: 400,
    code: "id_token_invalid",
  },
  { case: "an issuer on another host", defect: "wrong-iss", status: 400, code: "id_token_invalid" },
  {
    case: "the literal {tenantid} issuer",
    defect: "template-iss",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "an issuer of another tenant than tid",
    defect: "iss-tenant-mismatch",
    status: 400,
    code: "id_token_invalid",
  },
  { case: "no iat", defect: "missing-iat", status: 400, code: "id_token_invalid" },
  { case: "no sub", defect: "missing-sub", status: 400, code: "id_token_invalid" },
  { case: "no oid", defect: "missing-oid", status: 400, code: "id_token_invalid" },
  { case: "no tid", defect: "missing-tid", status: 400, code: "id_token_invalid" },
  { case: "no nonce", defect: "missing-nonce", status: 400, code: "id_token_invalid" },
  {
    case: "a nonce of another sign-in",
    defect: "wrong-nonce",
    status: 400,
    code: "id_token_invalid",
  },
  { case: "expired an hour ago", defect: "expired", status: 400, code: "id_token_invalid" },
  {
    case: "not valid for another hour (nbf)",
    defect: "not-yet-valid",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "issued an hour in the future (iat)",
    defect: "iat-future",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "the v1 issuer in a v2 flow",
    defect: "v1-issuer",
    status: 400,
    code: "id_token_invalid",
  },
  {
    case: "a user of a tenant the app does not allow (mix-up)",
    defect: "other-tenant",
    status: 403,
    code: "tenant_not_allowed",
  },
];

describe("Hostile identity provider: ID token", () => {
  // First, while the emulator publishes one key: OpenID Connect lets a token omit its kid then.
  it("no kid while one key is published: signed in (OIDC Core 10.1)", async () => {
    const { rp, response } = await signInWith("no-kid");
    await expectSignedIn(rp, response);
  });

  for (const { case: name, defect, status, code } of REFUSED) {
    it(`${name}: refused with ${code} (${status}), nothing stored`, async () => {
      const { rp, response } = await signInWith(defect);
      await expectRefused(rp, response, status, code);
    });
  }

  it("signed by a key published only after a rotation: one JWKS refetch, signed in", async () => {
    rp = await relyingParty(emulator);
    // The app holds the key set from before the rotation: its first sign-in fetches it.
    await expectSignedIn(rp, await rp.attempt(SIGNED_IN));
    emulator.control.queueFault("token", { kind: "id_token", defect: "rotated-kid" });
    const before = emulator.control.counts().keys ?? 0;
    const response = await rp.attempt(SIGNED_IN);
    expect(response.status).toBe(302);
    expect((await rp.stored(SIGNED_IN)).sessions).toBe(2);
    // One refetch brought the new key.
    expect((emulator.control.counts().keys ?? 0) - before).toBe(1);
  });

  it("no kid while several keys are published: refused with id_token_invalid, nothing stored", async () => {
    await emulator.control.rotateSigningKeys();
    const { rp, response } = await signInWith("no-kid");
    await expectRefused(rp, response, 400, "id_token_invalid");
  });

  it("a refused ID token as a page: the code and the reason, no token, no stack", async () => {
    rp = await relyingParty(emulator);
    emulator.control.queueFault("token", { kind: "id_token", defect: "bad-signature" });
    const response = await rp.attempt(SIGNED_IN, "html");
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("id_token_invalid");
    expect(html).toContain("its signature does not verify");
    expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}/);
    expect(html).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it("a single-tenant app gets another tenant's token (mix-up): refused with id_token_invalid", async () => {
    rp = await relyingParty(emulator, { tenantId: "contoso.onmicrosoft.com", allowedTenants: [] });
    emulator.control.queueFault("token", { kind: "id_token", defect: "other-tenant" });
    await expectRefused(rp, await rp.attempt(SIGNED_IN), 400, "id_token_invalid");
  });
});
