/**
 * The emulator as each Microsoft cloud, personal accounts under `consumers` and guests in a
 * tenant — each signed in by MSAL Node, unchanged, as an app would.
 */
import { createHash, randomBytes } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLOUD_SHAPES,
  CONSUMERS_TENANT_ID,
  defaults,
  type EmulatedCloud,
  type RunningEmulator,
  startEmulator,
} from "../src/index.js";
import { pickAccount, request, trustingNetworkClient } from "../src/testing/index.js";

const REDIRECT_URI = "http://localhost:3000/auth/callback";
const running: RunningEmulator[] = [];

afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.stop()));
});

async function emulatorAs(cloud?: EmulatedCloud): Promise<RunningEmulator> {
  const emulator = await startEmulator(cloud ? { cloud } : {});
  running.push(emulator);
  return emulator;
}

/** MSAL Node as an app configures it for a host it does not know: knownAuthorities, nothing else. */
function msalFor(emulator: RunningEmulator, tenant: string) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
      authority: emulator.authority(tenant),
      knownAuthorities: [new URL(emulator.urls.https).host],
    },
    system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
  });
}

async function signInWithMsal(emulator: RunningEmulator, tenant: string, user: string) {
  const cca = msalFor(emulator, tenant);
  const verifier = randomBytes(32).toString("base64url");
  const url = await cca.getAuthCodeUrl({
    scopes: ["User.Read"],
    redirectUri: REDIRECT_URI,
    codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
    codeChallengeMethod: "S256",
  });
  const back = new URL((await pickAccount(emulator, url, { user })).location);
  return cca.acquireTokenByCode({
    code: back.searchParams.get("code") ?? "",
    redirectUri: REDIRECT_URI,
    scopes: ["User.Read"],
    codeVerifier: verifier,
  });
}

async function discovery(emulator: RunningEmulator, tenant: string) {
  return request(`${emulator.urls.https}/${tenant}/v2.0/.well-known/openid-configuration`, {
    ca: emulator.caCertPem,
  });
}

describe.each(["global", "usgov", "china"] as const)("the emulator as the %s cloud", (cloud) => {
  it("publishes that cloud's instance and region in its discovery document", async () => {
    const emulator = await emulatorAs(cloud);
    const document = (await discovery(emulator, defaults.contoso)).json<Record<string, unknown>>();
    expect(document).toMatchObject({
      cloud_instance_name: CLOUD_SHAPES[cloud].cloudInstanceName,
      tenant_region_scope: CLOUD_SHAPES[cloud].tenantRegionScope,
      issuer: `${emulator.urls.https}/${defaults.contoso}/v2.0`,
    });
  });

  it("signs a member in through MSAL Node, which accepts the cloud's metadata unchanged", async () => {
    const emulator = await emulatorAs(cloud);
    const result = await signInWithMsal(emulator, "organizations", "megan@contoso.onmicrosoft.com");
    expect(result.account?.homeAccountId).toBe(`${defaults.users.admin}.${defaults.contoso}`);
    expect(result.idTokenClaims).toMatchObject({
      iss: `${emulator.urls.https}/${defaults.contoso}/v2.0`,
      tid: defaults.contoso,
      acct: 0,
    });
  });
});

describe("personal Microsoft accounts", () => {
  it("sign in under consumers through MSAL Node with the consumers tenant and no roles or groups", async () => {
    const emulator = await emulatorAs();
    const result = await signInWithMsal(emulator, "consumers", "kim.akers@outlook.com");
    expect(result.account?.homeAccountId).toBe(`${defaults.users.personal}.${CONSUMERS_TENANT_ID}`);
    expect(result.idTokenClaims).toMatchObject({
      iss: `${emulator.urls.https}/${CONSUMERS_TENANT_ID}/v2.0`,
      tid: CONSUMERS_TENANT_ID,
      oid: defaults.users.personal,
      preferred_username: "kim.akers@outlook.com",
    });
    for (const absent of ["roles", "groups", "_claim_names", "acct"]) {
      expect(result.idTokenClaims).not.toHaveProperty(absent);
    }
  });

  it("sign in under common, and never under organizations", async () => {
    const emulator = await emulatorAs();
    const result = await signInWithMsal(emulator, "common", "kim.akers@outlook.com");
    expect(result.idTokenClaims).toMatchObject({ tid: CONSUMERS_TENANT_ID });
    await expect(
      signInWithMsal(emulator, "organizations", "kim.akers@outlook.com"),
    ).rejects.toThrow();
  });

  it.each(["usgov", "china"] as const)("do not exist in the %s cloud", async (cloud) => {
    const emulator = await emulatorAs(cloud);
    const answer = await discovery(emulator, "consumers");
    expect(answer.status).toBe(400);
    expect(answer.json<{ error_description: string }>().error_description).toMatch(/AADSTS90002/);
    await expect(signInWithMsal(emulator, "common", "kim.akers@outlook.com")).rejects.toThrow();
  });
});

describe("guests", () => {
  it("sign in to the resource tenant with its tid, their home idp, acct 1 and the #EXT# name", async () => {
    const emulator = await emulatorAs();
    const result = await signInWithMsal(
      emulator,
      defaults.contoso,
      "pradeep_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    );
    expect(result.account?.homeAccountId).toBe(`${defaults.users.guest}.${defaults.contoso}`);
    expect(result.idTokenClaims).toMatchObject({
      tid: defaults.contoso,
      oid: defaults.users.guest,
      idp: `https://sts.windows.net/${defaults.fabrikam}/`,
      acct: 1,
      preferred_username: "pradeep_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    });
  });
});
