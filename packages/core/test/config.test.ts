import { describe, expect, it } from "vitest";
import { EntranceError, loadConfig } from "../src/index.js";

const GOOD = {
  AZURE_TENANT_ID: "organizations",
  AZURE_CLIENT_ID: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
  AZURE_CLIENT_SECRET: "a-client-secret-value",
  ENTRANCE_BASE_URL: "https://app.example.com/",
  ENTRANCE_SECRET: "0123456789abcdef0123456789abcdef-new,0123456789abcdef0123456789abcdef-old",
};

function problems(env: Record<string, string>, options = {}): string {
  try {
    loadConfig(options, env);
  } catch (error) {
    expect(error).toBeInstanceOf(EntranceError);
    expect((error as EntranceError).code).toBe("config_invalid");
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("configuration", () => {
  it("reads the environment, fills defaults and freezes the result", () => {
    const config = loadConfig({}, GOOD);
    expect(config).toMatchObject({
      tenantId: "organizations",
      authorityHost: "https://login.microsoftonline.com",
      baseUrl: "https://app.example.com",
      scopes: ["User.Read"],
      session: { idleTimeout: 28_800, absoluteTimeout: 604_800 },
    });
    expect(config.secrets).toHaveLength(2);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.session)).toBe(true);
  });

  it("accepts scopes as a list or a space-separated string, and options win over the environment", () => {
    expect(loadConfig({ scopes: "User.Read  Mail.Read User.Read" }, GOOD).scopes).toEqual([
      "User.Read",
      "Mail.Read",
    ]);
    expect(
      loadConfig({ scopes: ["Files.Read"] }, { ...GOOD, ENTRANCE_SCOPES: "Mail.Read" }).scopes,
    ).toEqual(["Files.Read"]);
  });

  it("never changes the caller's options", () => {
    const options = { scopes: ["A.Read"], session: { idleTimeout: 60 } };
    loadConfig(options, GOOD);
    expect(options).toEqual({ scopes: ["A.Read"], session: { idleTimeout: 60 } });
    expect(Object.isFrozen(options)).toBe(false);
  });

  it("names every missing setting and how to fix it", () => {
    const message = problems({});
    expect(message).toContain("tenantId (AZURE_TENANT_ID): set AZURE_TENANT_ID");
    expect(message).toContain("clientId (AZURE_CLIENT_ID)");
    expect(message).toContain("clientSecret (AZURE_CLIENT_SECRET)");
    expect(message).toContain("baseUrl (ENTRANCE_BASE_URL)");
    expect(message).toContain("openssl rand -base64 32");
  });

  it("refuses a short secret, a non-GUID client id and an http authority, without echoing values", () => {
    const message = problems({
      ...GOOD,
      ENTRANCE_SECRET: "short-secret-value",
      AZURE_CLIENT_ID: "my-app",
      AZURE_AUTHORITY_HOST: "http://login.example",
    });
    expect(message).toContain("ENTRANCE_SECRET must be at least 32 bytes");
    expect(message).toContain("AZURE_CLIENT_ID must be the application (client) id");
    expect(message).toContain("AZURE_AUTHORITY_HOST must be an https URL");
    expect(message).not.toContain("short-secret-value");
  });

  it("refuses plain http except on localhost", () => {
    expect(problems({ ...GOOD, ENTRANCE_BASE_URL: "http://app.example.com" })).toContain(
      "must be https",
    );
    expect(loadConfig({}, { ...GOOD, ENTRANCE_BASE_URL: "http://localhost:3000" }).baseUrl).toBe(
      "http://localhost:3000",
    );
  });

  it("refuses an allow-list that is not tenant ids", () => {
    expect(problems({ ...GOOD, ENTRANCE_ALLOWED_TENANTS: "contoso.com" })).toContain(
      "must list tenant ids",
    );
  });
});
