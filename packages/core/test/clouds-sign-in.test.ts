/**
 * Sign-in end to end against the emulator answering as each Microsoft cloud, for a personal
 * Microsoft account and for a guest; and ID tokens of the wrong cloud or account type, signed with
 * the emulator's real key, refused.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CONSUMERS_TENANT_ID,
  defaults,
  type EmulatedCloud,
  type RunningEmulator,
  startEmulator,
} from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetworkClient, trustCertificateAuthority } from "../src/index.js";
import { validateIdToken } from "../src/tokens/id-token.js";
import { Metadata } from "../src/tokens/metadata.js";
import { activeSigningKey, signToken } from "./support/bearer.js";
import { browse, fresh, signedInAs, startSignIn } from "./support/emulated.js";

const clouds: Partial<Record<EmulatedCloud, RunningEmulator>> = {};
const dataDirs: string[] = [];

beforeAll(async () => {
  for (const cloud of ["global", "usgov", "china"] as const) {
    const dataDir = await mkdtemp(join(tmpdir(), `entrance-cloud-${cloud}-`));
    dataDirs.push(dataDir);
    clouds[cloud] = await startEmulator({ cloud, dataDir });
  }
});
afterAll(async () => {
  await Promise.all(Object.values(clouds).map((emulator) => emulator?.stop()));
  await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function emulatorOf(cloud: EmulatedCloud): RunningEmulator {
  const emulator = clouds[cloud];
  if (!emulator) throw new Error(`no emulator as ${cloud}`);
  return emulator;
}

describe.each(["global", "usgov", "china"] as const)("sign-in in the %s cloud", (cloud) => {
  it("signs a member in, keeps them as a member of their tenant, and calls Graph for them", async () => {
    const emulator = emulatorOf(cloud);
    const { entrance, jar, store } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com", {
      graphBaseUrl: emulator.urls.https,
    });
    const signedIn = await entrance.getSession(jar.header);
    expect(signedIn?.user).toMatchObject({
      tenantId: defaults.contoso,
      objectId: defaults.users.member,
      accountKind: "member",
    });
    expect((await store.users.get(defaults.contoso, defaults.users.member))?.accountKind).toBe(
      "member",
    );
    const me = await entrance
      .graph({ tenantId: defaults.contoso, objectId: defaults.users.member })
      .api("/me")
      .get();
    expect(me).toMatchObject({ id: defaults.users.member });
  });
});

describe("personal Microsoft accounts", () => {
  it("sign in under common with accounts any, keyed by the consumers tenant and oid, with Graph and no roles", async () => {
    const emulator = emulatorOf("global");
    const { entrance, jar, store } = await signedInAs(emulator, "kim.akers@outlook.com", {
      tenantId: "common",
      accounts: "any",
      graphBaseUrl: emulator.urls.https,
    });
    const signedIn = await entrance.getSession(jar.header);
    expect(signedIn?.user).toMatchObject({
      tenantId: CONSUMERS_TENANT_ID,
      objectId: defaults.users.personal,
      accountKind: "personal",
      username: "kim.akers@outlook.com",
      roles: [],
      groups: [],
    });
    expect(await store.users.get(CONSUMERS_TENANT_ID, defaults.users.personal)).not.toBeNull();
    expect(entrance.trustsTenant(CONSUMERS_TENANT_ID)).toBe(false);
    const me = await entrance
      .graph({ tenantId: CONSUMERS_TENANT_ID, objectId: defaults.users.personal })
      .api("/me")
      .get();
    expect(me).toMatchObject({ id: defaults.users.personal, displayName: expect.any(String) });
  });

  it("sign in under consumers with accounts personal; a work account cannot", async () => {
    const emulator = emulatorOf("global");
    const { entrance, jar } = await signedInAs(emulator, "kim.akers@outlook.com", {
      tenantId: "consumers",
      accounts: "personal",
    });
    expect((await entrance.getSession(jar.header))?.user.accountKind).toBe("personal");

    const other = fresh(emulator, { tenantId: "consumers", accounts: "personal" });
    await expect(
      startSignIn(emulator, other.entrance, other.jar, "lee@contoso.onmicrosoft.com"),
    ).rejects.toThrow();
  });

  it("cannot sign in to a work-or-school app, even through common's pages", async () => {
    const emulator = emulatorOf("global");
    const { entrance, jar, store } = fresh(emulator);
    await expect(startSignIn(emulator, entrance, jar, "kim.akers@outlook.com")).rejects.toThrow();
    expect(await store.users.get(CONSUMERS_TENANT_ID, defaults.users.personal)).toBeNull();
  });
});

describe("guests", () => {
  it("are keyed by the resource tenant and their object id there, and shown as guests", async () => {
    const emulator = emulatorOf("global");
    const { store, entrance, jar } = fresh(emulator);
    const callback = await startSignIn(
      emulator,
      entrance,
      jar,
      "pradeep_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    );
    expect((await browse(entrance, jar, callback)).status).toBe(302);
    const stored = await store.users.get(defaults.contoso, defaults.users.guest);
    expect(stored).toMatchObject({
      tenantId: defaults.contoso,
      objectId: defaults.users.guest,
      accountKind: "guest",
      username: "pradeep_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    });
    // Nothing is kept under the home tenant.
    expect(await store.users.get(defaults.fabrikam, defaults.users.guest)).toBeNull();
  });
});

describe("ID tokens of another cloud or account type, signed with the emulator's own key", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (emulator: RunningEmulator, overrides: Record<string, unknown> = {}) => ({
    aud: defaults.webApp,
    iss: `${emulator.urls.https}/${defaults.contoso}/v2.0`,
    tid: defaults.contoso,
    oid: defaults.users.member,
    sub: "pairwise-subject",
    nonce: "n-1",
    iat: now(),
    nbf: now(),
    exp: now() + 3600,
    ver: "2.0",
    ...overrides,
  });
  const expecting = { clientId: defaults.webApp, nonce: "n-1", clockSkew: 300 };

  function metadataOf(emulator: RunningEmulator, tenant: string): Metadata {
    const network = createNetworkClient({ trust: trustCertificateAuthority(emulator.caCertPem) });
    return new Metadata(emulator.authority(tenant), network);
  }

  it("accepts the emulator's own shape, so the refusals below are about what was changed", async () => {
    const emulator = emulatorOf("usgov");
    const key = await activeSigningKey(dataDirs[1] ?? "");
    const token = await signToken(key, claims(emulator));
    await expect(
      validateIdToken(token, metadataOf(emulator, "organizations"), {
        ...expecting,
        tenantId: undefined,
        allowedTenants: [],
        personalAccounts: false,
      }),
    ).resolves.toMatchObject({ tid: defaults.contoso });
  });

  it.each([
    ["the global cloud", "https://login.microsoftonline.com"],
    ["US Government", "https://login.microsoftonline.us"],
    ["China", "https://login.partner.microsoftonline.cn"],
  ])("refuses an issuer of %s at another authority", async (_, host) => {
    const emulator = emulatorOf("usgov");
    const key = await activeSigningKey(dataDirs[1] ?? "");
    const token = await signToken(
      key,
      claims(emulator, { iss: `${host}/${defaults.contoso}/v2.0` }),
    );
    await expect(
      validateIdToken(token, metadataOf(emulator, "organizations"), {
        ...expecting,
        tenantId: undefined,
        allowedTenants: [],
        personalAccounts: false,
      }),
    ).rejects.toMatchObject({ code: "id_token_invalid", message: expect.stringMatching(/issuer/) });
  });

  it("refuses a token signed by another cloud's keys", async () => {
    const china = emulatorOf("china");
    const usgov = emulatorOf("usgov");
    const chinaKey = await activeSigningKey(dataDirs[2] ?? "");
    // Everything about it is US Government's except the key that signed it.
    const token = await signToken(chinaKey, claims(usgov));
    await expect(
      validateIdToken(token, metadataOf(usgov, "organizations"), {
        ...expecting,
        tenantId: undefined,
        allowedTenants: [],
        personalAccounts: false,
      }),
    ).rejects.toMatchObject({ code: "id_token_invalid" });
    expect(china.urls.https).not.toBe(usgov.urls.https);
  });

  it("refuses a consumers token at an organizations app, even with the consumers tenant allow-listed", async () => {
    const emulator = emulatorOf("global");
    const key = await activeSigningKey(dataDirs[0] ?? "");
    const token = await signToken(
      key,
      claims(emulator, {
        iss: `${emulator.urls.https}/${CONSUMERS_TENANT_ID}/v2.0`,
        tid: CONSUMERS_TENANT_ID,
        oid: defaults.users.personal,
      }),
    );
    for (const allowedTenants of [[], [CONSUMERS_TENANT_ID]]) {
      await expect(
        validateIdToken(token, metadataOf(emulator, "organizations"), {
          ...expecting,
          tenantId: undefined,
          allowedTenants,
          personalAccounts: false,
        }),
      ).rejects.toMatchObject({ code: "tenant_not_allowed" });
    }
  });

  it("refuses a work account's token at a consumers app", async () => {
    const emulator = emulatorOf("global");
    const key = await activeSigningKey(dataDirs[0] ?? "");
    const token = await signToken(key, claims(emulator));
    await expect(
      validateIdToken(token, metadataOf(emulator, "consumers"), {
        ...expecting,
        tenantId: CONSUMERS_TENANT_ID,
        allowedTenants: [],
        personalAccounts: true,
      }),
    ).rejects.toMatchObject({ code: "id_token_invalid", message: expect.stringMatching(/issuer/) });
  });
});
