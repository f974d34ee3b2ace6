import { describe, expect, it } from "vitest";
import { DownstreamTarget } from "../src/downstream/target.js";

const target = new DownstreamTarget("orders", "https://api.contoso.com/v1/");

function refusal(input: string | URL): string {
  try {
    const url = target.resolve(input);
    return `accepted ${url.href}`;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    // Never the refused URL's path or query in a message: they may carry a client's data.
    expect(message).not.toContain("secret-path");
    return code;
  }
}

describe("a downstream API's URLs", () => {
  it.each([
    ["orders", "https://api.contoso.com/v1/orders"],
    ["/orders", "https://api.contoso.com/v1/orders"],
    [
      "orders/42?expand=lines&q=a/../b",
      "https://api.contoso.com/v1/orders/42?expand=lines&q=a/../b",
    ],
    ["", "https://api.contoso.com/v1/"],
    ["?top=5", "https://api.contoso.com/v1/?top=5"],
    [".../x", "https://api.contoso.com/v1/.../x"],
    ["https://api.contoso.com/v1/orders", "https://api.contoso.com/v1/orders"],
    ["https://API.contoso.com:443/v1/orders", "https://api.contoso.com/v1/orders"],
    ["https://api.contoso.com/v1", "https://api.contoso.com/v1"],
  ])("resolves %j under the base URL", (input, expected) => {
    expect(target.resolve(input).href).toBe(expected);
  });

  it("takes a URL object under the base", () => {
    expect(target.resolve(new URL("https://api.contoso.com/v1/a")).pathname).toBe("/v1/a");
  });

  it.each([
    "https://evil.example/v1/secret-path",
    "https://api.contoso.com.evil.example/v1/secret-path",
    "https://api.contoso.com:8443/v1/secret-path",
    "http://api.contoso.com/v1/secret-path",
    "//evil.example/v1/secret-path",
    "///evil.example/secret-path",
    "https://api.contoso.com/v2/secret-path",
    "https://api.contoso.com/v1x/secret-path",
    "https://api.contoso.com/v1/../admin/secret-path",
    "https://api.contoso.com/v1/%2e%2e/admin/secret-path",
    "../secret-path",
    "./secret-path",
    "a/../../secret-path",
    "%2e%2e/secret-path",
    "%2E./secret-path",
    "..%2fsecret-path",
    "..%5Csecret-path",
    "\\\\evil.example\\secret-path",
    "/\\evil.example/secret-path",
    "https:\\\\evil.example/secret-path",
    "https://user:pw@api.contoso.com/v1/secret-path",
    "https://user@api.contoso.com/v1/secret-path",
    " https://evil.example/secret-path",
    "/\t/evil.example/secret-path",
    "orders\r\nHost: evil.example",
    "javascript:alert(1)",
    "data:text/plain,secret-path",
    "file:///etc/passwd",
    "http:evil.example/secret-path",
  ])("refuses %j before anything is sent", (input) => {
    expect(refusal(input)).toBe("downstream_url_not_allowed");
  });

  it("refuses a URL object on another origin", () => {
    expect(refusal(new URL("https://evil.example/v1/secret-path"))).toBe(
      "downstream_url_not_allowed",
    );
  });

  it("keeps a base URL's exact origin on loopback http, port included", () => {
    const local = new DownstreamTarget("local", "http://127.0.0.1:8080/");
    expect(local.resolve("x").href).toBe("http://127.0.0.1:8080/x");
    expect(() => local.resolve("http://127.0.0.1:8081/x")).toThrow(/another origin/);
    expect(() => local.resolve("http://localhost:8080/x")).toThrow(/another origin/);
  });
});
