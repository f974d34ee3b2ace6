/**
 * `doctor` for an Entra External ID app: against the emulator's External ID tenant, and the issuer
 * check for a real ciamlogin.com tenant, whose issuer is on the tenant's own host
 * (`https://{tid}.ciamlogin.com/{tid}/v2.0`) rather than the configured one.
 */

import { join } from "node:path";
import { loadConfig, type NetworkClient } from "@entrance/core";
import { externalDefaults } from "@entrance/emulator";
import { migrate } from "@entrance/store-sql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAuthority } from "../src/doctor/authority.js";
import { doctor } from "../src/index.js";
import { type EmulatedApp, emulatedApp } from "./support/emulated-app.js";

const TID = externalDefaults.tenant;

let app: EmulatedApp;
beforeAll(async () => {
  app = await emulatedApp();
  await migrate(join(app.dir, "entrance.db"));
});
afterAll(async () => {
  await app?.stop();
});

describe("doctor on an External ID app", () => {
  it("finds nothing wrong against the emulator's External ID tenant", async () => {
    const findings = await doctor({
      cwd: app.dir,
      env: app.env({
        AZURE_TENANT_ID: `${externalDefaults.subdomain}.onmicrosoft.com`,
        AZURE_CLIENT_ID: externalDefaults.app,
        AZURE_CLIENT_SECRET: externalDefaults.appSecret,
        ENTRANCE_EXTERNAL_ID: "true",
      }),
      ca: app.caPath,
    });
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["authority_ok", "credential_works"]),
    );
  });

  /** A ciamlogin.com tenant's metadata, as its issuer is shaped. */
  function metadata(issuer: string): NetworkClient {
    const authority = `https://contosocustomers.ciamlogin.com/${TID}`;
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

  const config = loadConfig(
    {},
    {
      AZURE_TENANT_ID: "contosocustomers.onmicrosoft.com",
      AZURE_CLIENT_ID: externalDefaults.app,
      AZURE_CLIENT_SECRET: "a-client-secret-value",
      AZURE_AUTHORITY_HOST: "https://contosocustomers.ciamlogin.com",
      ENTRANCE_BASE_URL: "https://shop.example.com",
      ENTRANCE_SECRET: "0123456789abcdef0123456789abcdef-new",
    },
  );

  it("takes a ciamlogin.com tenant's issuer on its own host, and learns the tenant id", async () => {
    const result = await checkAuthority(
      config,
      metadata(`https://${TID}.ciamlogin.com/${TID}/v2.0`),
    );
    expect(result.findings.map((f) => f.code)).toEqual(["authority_ok"]);
    expect(result.tenantGuid).toBe(TID);
  });

  it("finds a workforce issuer at a ciamlogin.com authority wrong", async () => {
    const result = await checkAuthority(
      config,
      metadata(`https://login.microsoftonline.com/${TID}/v2.0`),
    );
    expect(result.findings.map((f) => f.code)).toEqual(["issuer_mismatch"]);
  });
});
