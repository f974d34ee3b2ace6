/**
 * A B2C custom policy's own signing key lives as the tenant's does: kept in the data folder, so
 * that an emulator restarted on the same folder still publishes it and its earlier tokens still
 * verify, and rotated by `rotateSigningKeys` (the control API), the earlier key published beside
 * the new one for as many rotations as the tenant's, or dropped at once with `retire`.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type DirectoryInput,
  defaultDirectory,
  defaults,
  type RunningEmulator,
  startEmulator,
} from "../src/index.js";
import { PolicyKeys, type StoredPolicyKeys } from "../src/pki/policy-keys.js";
import {
  openB2cPage,
  request,
  submitB2cForm,
  trustingNetworkClient,
} from "../src/testing/index.js";

const REDIRECT_URI = "http://localhost:3000/auth/callback";
const B2C = defaults.b2c;
const CUSTOM = "B2C_1A_signup_signin";
const OTHER_CUSTOM = "B2C_1A_profile_edit";
const API_SCOPE = `https://${B2C.domain}/${B2C.webApp}/Orders.Read`;

/** The default directory with two custom policies added to the B2C tenant. */
function withCustomPolicies(): DirectoryInput {
  return {
    ...defaultDirectory,
    tenants: defaultDirectory.tenants.map((tenant) =>
      tenant.id === B2C.tenant && tenant.b2c
        ? {
            ...tenant,
            b2c: {
              ...tenant.b2c,
              userFlows: [
                ...tenant.b2c.userFlows,
                { name: CUSTOM, type: "signUpSignIn" },
                { name: OTHER_CUSTOM, type: "profileEdit" },
              ],
            },
          }
        : tenant,
    ),
  };
}

let dataDir: string;
let emulator: RunningEmulator | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-emulator-policy-keys-"));
});
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** An emulator on the shared data folder (or a new one). */
async function start(folder = dataDir): Promise<RunningEmulator> {
  emulator = await startEmulator({ dataDir: folder, directory: withCustomPolicies() });
  return emulator;
}

async function jwksOf(running: RunningEmulator, policy: string): Promise<JSONWebKeySet> {
  const uri = `${running.urls.https}/${B2C.domain}/${policy.toLowerCase()}/discovery/v2.0/keys`;
  return (await request(uri, { ca: running.caCertPem })).json<JSONWebKeySet>();
}

const kids = (set: JSONWebKeySet) => set.keys.map((key) => key.kid);

/** A customer's access token from `policy`, signed in through its pages and MSAL Node. */
async function accessTokenOf(running: RunningEmulator, policy: string): Promise<string> {
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: B2C.webApp,
      clientSecret: B2C.webAppSecret,
      authority: `${running.urls.https}/${B2C.domain}/${policy}`,
      knownAuthorities: [new URL(running.urls.https).host],
    },
    system: { networkClient: trustingNetworkClient(running.caCertPem) },
  });
  const verifier = randomBytes(32).toString("base64url");
  const url = await cca.getAuthCodeUrl({
    scopes: [API_SCOPE],
    redirectUri: REDIRECT_URI,
    codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
    codeChallengeMethod: "S256",
  });
  const page = await openB2cPage(running, url);
  const back = await submitB2cForm(running, page, url, {
    email: B2C.customerEmail,
    password: B2C.customerPassword,
  });
  const result = await cca.acquireTokenByCode({
    code: new URL(back.location ?? "http://x/").searchParams.get("code") ?? "",
    redirectUri: REDIRECT_URI,
    scopes: [API_SCOPE],
    codeVerifier: verifier,
  });
  return result.accessToken;
}

/** Whether `token` verifies with the keys `policy` publishes now. */
async function verifiesWith(running: RunningEmulator, policy: string, token: string) {
  try {
    await jwtVerify(token, createLocalJWKSet(await jwksOf(running, policy)));
    return true;
  } catch {
    return false;
  }
}

/** `POST /_emulator/control/keys/rotate`, as a test in another process rotates the keys. */
async function rotateOverHttp(running: RunningEmulator, body: unknown): Promise<string> {
  const answer = await request(`${running.urls.https}/_emulator/control/keys/rotate`, {
    method: "POST",
    ca: running.caCertPem,
    headers: { authorization: `Bearer ${running.controlKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(200);
  return answer.json<{ kid: string }>().kid;
}

describe("a B2C custom policy's signing key", () => {
  it("is kept in the data folder: after a restart its JWKS is the same and its earlier tokens verify", async () => {
    const first = await start();
    const token = await accessTokenOf(first, CUSTOM);
    const published = kids(await jwksOf(first, CUSTOM));
    expect(published).toEqual([decodeProtectedHeader(token).kid]);
    // Kept beside the tenant's keys, readable by the emulator's user only.
    const file = join(dataDir, "policy-keys.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, "utf8")) as Record<string, { kid: string }[]>;
    expect(stored[`${B2C.tenant}/${CUSTOM.toLowerCase()}`]?.map((key) => key.kid)).toEqual(
      published,
    );
    await first.stop();

    const second = await start();
    expect(kids(await jwksOf(second, CUSTOM))).toEqual(published);
    expect(await verifiesWith(second, CUSTOM, token)).toBe(true);
    // New tokens are signed with the same key, and the user flows still do not publish it.
    const again = await accessTokenOf(second, CUSTOM);
    expect(decodeProtectedHeader(again).kid).toBe(published[0]);
    expect(kids(await jwksOf(second, B2C.signUpSignIn))).not.toContain(published[0]);
  });

  it("stays its own policy's across a restart: another custom policy gets a key of its own", async () => {
    const running = await start();
    const custom = kids(await jwksOf(running, CUSTOM));
    const other = kids(await jwksOf(running, OTHER_CUSTOM));
    expect(other).toHaveLength(1);
    expect(custom).not.toContain(other[0]);
    await running.stop();
    const restarted = await start();
    expect(kids(await jwksOf(restarted, OTHER_CUSTOM))).toEqual(other);
    expect(kids(await jwksOf(restarted, CUSTOM))).toEqual(custom);
  });

  it("is rotated by rotateSigningKeys: the new key signs, the old one stays published as the tenant's does", async () => {
    const running = await start(await mkdtemp(join(tmpdir(), "entrance-emulator-rotate-")));
    try {
      const before = await accessTokenOf(running, CUSTOM);
      const oldKid = decodeProtectedHeader(before).kid;
      const tenantBefore = kids(await jwksOf(running, B2C.signUpSignIn));

      const tenantKid = await running.control.rotateSigningKeys();
      const custom = kids(await jwksOf(running, CUSTOM));
      expect(custom).toHaveLength(2);
      expect(custom[1]).toBe(oldKid);
      // The custom policy's new key is its own: not the tenant's new one, not in a user flow's JWKS.
      expect(custom[0]).not.toBe(tenantKid);
      expect(kids(await jwksOf(running, B2C.signUpSignIn))).toEqual([tenantKid, ...tenantBefore]);
      expect(kids(await jwksOf(running, B2C.signUpSignIn))).not.toContain(custom[0]);

      const after = await accessTokenOf(running, CUSTOM);
      expect(decodeProtectedHeader(after).kid).toBe(custom[0]);
      expect(await verifiesWith(running, CUSTOM, before)).toBe(true);
      expect(await verifiesWith(running, CUSTOM, after)).toBe(true);

      // The rollover window is the tenant's: as many keys published after as many rotations.
      await rotateOverHttp(running, {});
      await rotateOverHttp(running, {});
      const tenantKeys = kids(await jwksOf(running, B2C.signUpSignIn));
      const customKeys = kids(await jwksOf(running, CUSTOM));
      expect(customKeys).toHaveLength(tenantKeys.length);
      expect(customKeys).not.toContain(oldKid);
      expect(await verifiesWith(running, CUSTOM, before)).toBe(false);
    } finally {
      await running.stop();
    }
  });

  it("is retired with the tenant's by a rotation with retire, and a rotation is kept across a restart", async () => {
    const folder = await mkdtemp(join(tmpdir(), "entrance-emulator-retire-"));
    try {
      const running = await start(folder);
      const before = await accessTokenOf(running, CUSTOM);
      await running.control.rotateSigningKeys();
      const rotated = kids(await jwksOf(running, CUSTOM));
      await running.stop();

      const restarted = await start(folder);
      expect(kids(await jwksOf(restarted, CUSTOM))).toEqual(rotated);
      expect(await verifiesWith(restarted, CUSTOM, before)).toBe(true);

      const tenantKid = await rotateOverHttp(restarted, { retire: true });
      expect(kids(await jwksOf(restarted, B2C.signUpSignIn))).toEqual([tenantKid]);
      const retired = kids(await jwksOf(restarted, CUSTOM));
      expect(retired).toHaveLength(1);
      expect(rotated).not.toContain(retired[0]);
      expect(await verifiesWith(restarted, CUSTOM, before)).toBe(false);
    } finally {
      await emulator?.stop();
      emulator = undefined;
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe("PolicyKeys (the custom policies' keys and their writes)", () => {
  it("gives concurrent first callers one key, written once and loaded back the same", async () => {
    const writes: StoredPolicyKeys[] = [];
    const keys = new PolicyKeys({}, async (stored) => {
      writes.push(stored);
    });
    const [a, b, c] = await Promise.all([
      keys.of(B2C.tenant, CUSTOM),
      keys.of(B2C.tenant.toUpperCase(), CUSTOM.toUpperCase()),
      keys.of(B2C.tenant, CUSTOM),
    ]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(writes).toHaveLength(1);
    expect(Object.keys(writes[0] ?? {})).toEqual([`${B2C.tenant}/${CUSTOM.toLowerCase()}`]);
    // Loaded from what was written, the same key.
    const reloaded = new PolicyKeys(writes[0] ?? {}, async () => {});
    expect((await reloaded.of(B2C.tenant, CUSTOM)).active.kid).toBe(a.active.kid);
  });

  it("keeps no key whose write failed: the caller sees the failure and the next caller a new key", async () => {
    let fail = true;
    const written: StoredPolicyKeys[] = [];
    const keys = new PolicyKeys({}, async (stored) => {
      if (fail) throw new Error("disk full");
      written.push(stored);
    });
    await expect(keys.of(B2C.tenant, CUSTOM)).rejects.toThrow("disk full");
    fail = false;
    const made = await keys.of(B2C.tenant, CUSTOM);
    expect(written.at(-1)?.[`${B2C.tenant}/${CUSTOM.toLowerCase()}`]?.map((k) => k.kid)).toEqual([
      made.active.kid,
    ]);
    // A rotation rotates it and writes again.
    await keys.rotate();
    expect(written.at(-1)?.[`${B2C.tenant}/${CUSTOM.toLowerCase()}`]).toHaveLength(2);
  });
});
