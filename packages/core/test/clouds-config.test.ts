/**
 * Start-up rules for national clouds and account types: the Graph host follows the sign-in host,
 * a pair from two clouds is refused, and `common`/`consumers` need the explicit opt-in.
 */
import { describe, expect, it } from "vitest";
import { CONSUMERS_TENANT_ID, EntranceError, loadConfig } from "../src/index.js";

const GOOD = {
  AZURE_TENANT_ID: "organizations",
  AZURE_CLIENT_ID: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
  AZURE_CLIENT_SECRET: "a-client-secret-value",
  ENTRANCE_BASE_URL: "https://app.example.com/",
  ENTRANCE_SECRET: "0123456789abcdef0123456789abcdef-new",
};

function refusal(env: Record<string, string>, options = {}): string {
  try {
    loadConfig(options, { ...GOOD, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(EntranceError);
    expect((error as EntranceError).code).toBe("config_invalid");
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("national clouds", () => {
  it.each([
    ["https://login.microsoftonline.com", "https://graph.microsoft.com"],
    ["https://login.microsoftonline.us", "https://graph.microsoft.us"],
    ["https://login.partner.microsoftonline.cn", "https://microsoftgraph.chinacloudapi.cn"],
    ["https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"],
  ])("derives the Graph host from the sign-in host %s", (authorityHost, graph) => {
    const config = loadConfig({}, { ...GOOD, AZURE_AUTHORITY_HOST: authorityHost });
    expect(config.graphBaseUrl).toBe(graph);
  });

  it.each([
    ["https://login.microsoftonline.us", "https://graph.microsoft.us"],
    ["https://login.microsoftonline.us", "https://dod-graph.microsoft.us"],
    ["https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/"],
    // The emulator and proxies: hosts Microsoft does not publish are not judged.
    ["https://localhost:8443", "https://localhost:8443"],
    ["https://login.microsoftonline.us", "https://graph-proxy.example.gov"],
  ])("accepts the pair %s with %s", (authorityHost, graph) => {
    const config = loadConfig(
      {},
      { ...GOOD, AZURE_AUTHORITY_HOST: authorityHost, ENTRANCE_GRAPH_URL: graph },
    );
    expect(config.graphBaseUrl).toBe(graph.replace(/\/$/, ""));
  });

  it("refuses a US Government sign-in host with the global Graph, naming both fixes", () => {
    const message = refusal({
      AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
      ENTRANCE_GRAPH_URL: "https://graph.microsoft.com",
    });
    expect(message).toContain("graphBaseUrl (ENTRANCE_GRAPH_URL)");
    expect(message).toContain("Azure US Government");
    expect(message).toContain("https://graph.microsoft.us or https://dod-graph.microsoft.us");
    expect(message).toContain("leave it unset");
  });

  it.each([
    ["https://login.microsoftonline.com", "https://graph.microsoft.us"],
    ["https://login.microsoftonline.com", "https://dod-graph.microsoft.us"],
    ["https://login.chinacloudapi.cn", "https://graph.microsoft.com"],
    ["https://login.partner.microsoftonline.cn", "https://graph.microsoft.us"],
    ["https://login.microsoftonline.us", "https://microsoftgraph.chinacloudapi.cn"],
  ])("refuses the sign-in host %s with the Graph %s", (authorityHost, graph) => {
    expect(refusal({ AZURE_AUTHORITY_HOST: authorityHost, ENTRANCE_GRAPH_URL: graph })).toMatch(
      /tokens of one cloud are refused by the other/,
    );
  });

  it("refuses the mismatch given as options too", () => {
    expect(
      refusal(
        {},
        {
          authorityHost: "https://login.chinacloudapi.cn",
          graphBaseUrl: "https://graph.microsoft.com",
        },
      ),
    ).toMatch(/Azure China operated by 21Vianet/);
  });
});

describe("account types", () => {
  it("refuses common without the opt-in, explaining the risk", () => {
    const message = refusal({ AZURE_TENANT_ID: "common" });
    expect(message).toContain("tenantId (AZURE_TENANT_ID)");
    expect(message).toContain("anyone with a free Outlook.com address");
    expect(message).toContain("ENTRANCE_ACCOUNTS=any");
  });

  it("refuses consumers (by name or id) without the opt-in", () => {
    for (const tenant of ["consumers", CONSUMERS_TENANT_ID]) {
      expect(refusal({ AZURE_TENANT_ID: tenant })).toContain("ENTRANCE_ACCOUNTS=personal");
    }
  });

  it("accepts common with accounts any, and consumers with accounts personal", () => {
    expect(
      loadConfig({}, { ...GOOD, AZURE_TENANT_ID: "common", ENTRANCE_ACCOUNTS: "any" }),
    ).toMatchObject({ tenantId: "common", accounts: "any" });
    expect(loadConfig({ tenantId: "consumers", accounts: "personal" }, GOOD)).toMatchObject({
      tenantId: "consumers",
      accounts: "personal",
    });
  });

  it("defaults to work or school accounts", () => {
    expect(loadConfig({}, GOOD).accounts).toBe("work-or-school");
  });

  it("refuses an opt-in that the tenant cannot honour, and an unknown value", () => {
    expect(refusal({ ENTRANCE_ACCOUNTS: "any" })).toMatch(/"any" needs AZURE_TENANT_ID=common/);
    expect(refusal({ ENTRANCE_ACCOUNTS: "personal" })).toMatch(
      /"personal" needs AZURE_TENANT_ID=consumers/,
    );
    expect(refusal({ ENTRANCE_ACCOUNTS: "everyone" })).toMatch(
      /ENTRANCE_ACCOUNTS must be work-or-school, any or personal/,
    );
  });

  it("refuses personal accounts in a national cloud, where they do not exist", () => {
    expect(
      refusal({
        AZURE_TENANT_ID: "common",
        ENTRANCE_ACCOUNTS: "any",
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.us",
      }),
    ).toMatch(/exist only in the global cloud, not in Azure US Government/);
  });

  it("refuses to trust the personal-account tenant's roles", () => {
    expect(
      refusal({
        AZURE_TENANT_ID: "common",
        ENTRANCE_ACCOUNTS: "any",
        ENTRANCE_TRUSTED_TENANTS: CONSUMERS_TENANT_ID,
      }),
    ).toMatch(/has no administrators who assign app roles/);
  });
});
