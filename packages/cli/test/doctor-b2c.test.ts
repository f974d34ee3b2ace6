/**
 * `doctor` for an Azure AD B2C app, against the emulator's B2C tenant: each configured policy's
 * metadata and issuer are checked, and the credential is reported as unverifiable without a
 * sign-in rather than tried with client credentials (which B2C does not offer at a policy).
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadConfig, type NetworkClient } from "@entrance/core";
import { defaults } from "@entrance/emulator";
import { migrate } from "@entrance/store-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAuthority } from "../src/doctor/authority.js";
import type { Finding } from "../src/findings.js";
import { doctor } from "../src/index.js";
import { type EmulatedApp, emulatedApp } from "./support/emulated-app.js";

const B2C = defaults.b2c;

let app: EmulatedApp;
beforeAll(async () => {
  app = await emulatedApp();
  await migrate(join(app.dir, "entrance.db"));
});
afterAll(async () => {
  await app?.stop();
});

const seen = new Set<string>();
const run = async (overrides: Record<string, string | undefined> = {}) => {
  const findings = await doctor({
    cwd: app.dir,
    env: app.env({
      AZURE_TENANT_ID: B2C.domain,
      AZURE_CLIENT_ID: B2C.webApp,
      AZURE_CLIENT_SECRET: B2C.webAppSecret,
      AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: B2C.signUpSignIn,
      AZURE_B2C_RESET_PASSWORD_POLICY: B2C.passwordReset,
      AZURE_B2C_EDIT_PROFILE_POLICY: B2C.profileEdit,
      ENTRANCE_GRAPH_URL: undefined,
      ...overrides,
    }),
    ca: app.caPath,
  });
  for (const f of findings) seen.add(f.code);
  return findings;
};
const errors = (findings: readonly Finding[]) => findings.filter((f) => f.severity === "error");

describe("doctor on an Azure AD B2C app", () => {
  it("checks every policy's metadata and issuer, and finds nothing wrong", async () => {
    const findings = await run();
    expect(errors(findings)).toEqual([]);
    const policies = findings.filter((f) => f.code === "b2c_policy_ok").map((f) => f.message);
    expect(policies).toHaveLength(3);
    for (const [i, policy] of [B2C.signUpSignIn, B2C.passwordReset, B2C.profileEdit].entries()) {
      expect(policies[i]).toContain(`the B2C policy ${policy}`);
      expect(policies[i]).toContain(`${app.emulator.urls.https}/${B2C.tenant}/v2.0/`);
    }
    // No client-credentials request: an honest "cannot tell", never a failure.
    const credential = findings.find((f) => f.code === "b2c_credential_unverified");
    expect(credential?.severity).toBe("info");
    expect(credential?.fix).toContain("sign in");
    expect(findings.map((f) => f.code)).not.toContain("credential_works");
    expect(findings.map((f) => f.code)).toContain("redirect_uri");
  });

  it("checks the sign-up/sign-in policy alone when no other is set", async () => {
    const findings = await run({
      AZURE_B2C_RESET_PASSWORD_POLICY: undefined,
      AZURE_B2C_EDIT_PROFILE_POLICY: undefined,
    });
    expect(errors(findings)).toEqual([]);
    expect(findings.filter((f) => f.code === "b2c_policy_ok")).toHaveLength(1);
  });

  it("a policy the tenant does not have is a failing finding naming its variable", async () => {
    const findings = await run({ AZURE_B2C_RESET_PASSWORD_POLICY: "B2C_1_passwordrest" });
    expect(errors(findings).map((f) => f.code)).toEqual(["b2c_policy_not_found"]);
    const found = errors(findings)[0];
    expect(found?.message).toContain("B2C_1_passwordrest (AZURE_B2C_RESET_PASSWORD_POLICY)");
    expect(found?.fix).toContain("AZURE_B2C_RESET_PASSWORD_POLICY");
    expect(found?.docs).toBe("docs/doctor.md#b2c_policy_not_found");
    // The other policies are still checked.
    expect(findings.filter((f) => f.code === "b2c_policy_ok")).toHaveLength(2);
  });

  it("a wrong sign-up/sign-in policy fails too", async () => {
    const findings = await run({ AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: "B2C_1_signin_typo" });
    expect(errors(findings).map((f) => f.code)).toEqual(["b2c_policy_not_found"]);
  });

  it("takes the B2C tenant by its id as well as by its domain", async () => {
    const findings = await run({ AZURE_TENANT_ID: B2C.tenant });
    expect(errors(findings)).toEqual([]);
    expect(findings.filter((f) => f.code === "b2c_policy_ok")).toHaveLength(3);
  });

  /** A b2clogin.com policy's metadata with the given issuer (no such tenant exists to ask). */
  function metadata(issuer: string): NetworkClient {
    const authority = `https://contosob2c.b2clogin.com/${B2C.domain}/b2c_1_signupsignin`;
    return {
      async sendGetRequestAsync<T>() {
        const body = {
          issuer,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          token_endpoint: `${authority}/oauth2/v2.0/token`,
          jwks_uri: `${authority}/discovery/v2.0/keys`,
        };
        return { status: 200, headers: {}, body: body as T };
      },
      async sendPostRequestAsync(): Promise<never> {
        throw new Error("no POST expected");
      },
    };
  }

  const config = (tenant: string) =>
    loadConfig(
      {},
      {
        AZURE_TENANT_ID: tenant,
        AZURE_CLIENT_ID: B2C.webApp,
        AZURE_CLIENT_SECRET: "a-client-secret-value",
        AZURE_AUTHORITY_HOST: "https://contosob2c.b2clogin.com",
        AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: B2C.signUpSignIn,
        ENTRANCE_BASE_URL: "https://shop.example.com",
        ENTRANCE_SECRET: "0123456789abcdef0123456789abcdef-new",
      },
    );

  it("takes b2clogin.com's issuer, and refuses Entra ID's or another tenant's", async () => {
    const b2c = `https://contosob2c.b2clogin.com/${B2C.tenant}/v2.0/`;
    const ok = await checkAuthority(config(B2C.domain), metadata(b2c));
    expect(ok.usable).toBe(true);
    expect(ok.tenantGuid).toBe(B2C.tenant);
    for (const [tenant, issuer] of [
      // Entra ID's shape (no trailing slash): core would refuse every token of it.
      [B2C.domain, `https://login.microsoftonline.com/${B2C.tenant}/v2.0`],
      // Another tenant than the configured id.
      [B2C.tenant, `https://contosob2c.b2clogin.com/${defaults.contoso}/v2.0/`],
    ] as const) {
      const result = await checkAuthority(config(tenant), metadata(issuer));
      expect(result.usable).toBe(false);
      expect(result.findings.map((f) => f.code)).toEqual(["issuer_mismatch"]);
      expect(result.findings[0]?.message).toContain(`${B2C.signUpSignIn}'s issuer is ${issuer}`);
      for (const f of result.findings) seen.add(f.code);
    }
  });

  it("docs/doctor.md has a section for every code met above", async () => {
    const page = await readFile(join(import.meta.dirname, "../../../docs/doctor.md"), "utf8");
    const documented = new Set([...page.matchAll(/^### ([a-z0-9_]+)$/gm)].map((m) => m[1]));
    expect(seen.has("b2c_policy_not_found")).toBe(true);
    expect([...seen].filter((code) => !documented.has(code))).toEqual([]);
  });
});
