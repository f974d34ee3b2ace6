import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PublicOrigins } from "../src/index.js";

const REFUSED = "http://host-not-allowed.invalid";
const headers = (values: Record<string, string>) => new Headers(values);
const proxy = { address: "10.1.2.3", tls: false };
const stranger = { address: "203.0.113.9", tls: false };

const origins = new PublicOrigins({
  allowedHosts: ["app.example.com", "api.example.com:8443"],
  trustProxy: ["private", "2001:db8::/32"],
});

describe("the public origin read per request (http/origin.ts)", () => {
  it("is baseUrl whatever the request says, when baseUrl is set", () => {
    const fixed = new PublicOrigins({
      baseUrl: "https://a.example",
      allowedHosts: [],
      trustProxy: [],
    });
    const hostile = headers({ host: "evil.example", "x-forwarded-host": "evil.example" });
    expect(fixed.resolve(hostile, proxy)).toBe(REFUSED); // resolve is for the unset case only
    expect(fixed.ofWeb(new Request("http://evil.example/x", { headers: hostile }), proxy)).toBe(
      "https://a.example",
    );
    expect(fixed.checked("http://evil.example/x")).toBe("https://a.example");
  });

  it("believes a trusted proxy's forwarded scheme and host, the last value of each", () => {
    const forwarded = headers({
      host: "10.0.0.5:3000",
      "x-forwarded-proto": "http, https",
      "x-forwarded-host": "evil.example, APP.example.com",
    });
    expect(origins.resolve(forwarded, proxy)).toBe("https://app.example.com");
    // An IPv4 proxy on a dual-stack socket, and an IPv6 one in a listed range.
    expect(origins.resolve(forwarded, { address: "::ffff:192.168.1.1", tls: false })).toBe(
      "https://app.example.com",
    );
    expect(origins.resolve(forwarded, { address: "2001:db8::7", tls: false })).toBe(
      "https://app.example.com",
    );
    expect(origins.resolve(forwarded, stranger)).toBe(REFUSED);
  });

  it("reads RFC 7239 Forwarded only when no X-Forwarded-Proto or -Host is sent", () => {
    const rfc = headers({
      host: "x",
      forwarded:
        'for=1.2.3.4;host="evil.example,x";proto=http, for=10.0.0.1;host="api.example.com:8443";proto=https',
    });
    expect(origins.resolve(rfc, proxy)).toBe("https://api.example.com:8443");
    rfc.set("x-forwarded-proto", "https");
    // X-Forwarded-Proto alone: the host is then the connection's `Host`, which is not allowed.
    expect(origins.resolve(rfc, proxy)).toBe(REFUSED);
  });

  it("takes Host and the connection's TLS from anyone else, and checks host, port and scheme", () => {
    const tls = { address: "203.0.113.9", tls: true };
    expect(origins.resolve(headers({ host: "app.example.com" }), tls)).toBe(
      "https://app.example.com",
    );
    expect(origins.resolve(headers({ host: "app.example.com:443" }), tls)).toBe(
      "https://app.example.com:443",
    );
    expect(origins.checked("https://app.example.com:443/x")).toBe("https://app.example.com");
    expect(origins.resolve(headers({ host: "app.example.com:8443" }), tls)).toBe(REFUSED);
    expect(origins.resolve(headers({ host: "api.example.com" }), tls)).toBe(REFUSED);
    expect(origins.resolve(headers({ host: "api.example.com:8443" }), tls)).toBe(
      "https://api.example.com:8443",
    );
    expect(origins.resolve(headers({ host: "app.example.com" }), stranger)).toBe(REFUSED);
    expect(origins.resolve(headers({}), tls)).toBe(REFUSED);
    expect(origins.resolve(headers({ host: "user@app.example.com" }), tls)).toBe(REFUSED);
  });

  it("accepts http only when every allowed host is a loopback name", () => {
    const local = new PublicOrigins({ allowedHosts: ["localhost:3000"], trustProxy: [] });
    expect(local.resolve(headers({ host: "localhost:3000" }), stranger)).toBe(
      "http://localhost:3000",
    );
    expect(local.all).toEqual(["http://localhost:3000"]);
    expect(origins.all).toEqual(["https://app.example.com", "https://api.example.com:8443"]);
  });

  it("never throws, and gives only an allowed https origin or the refusal, whatever the headers", () => {
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom("app.example.com", "APP.example.com:443", "api.example.com:8443", "[::1]"),
      fc
        .array(
          fc.constantFrom(
            "app.example.com",
            "evil",
            ",",
            ";",
            '"',
            "=",
            "https",
            ":",
            "@",
            "/",
            " ",
          ),
          { maxLength: 12 },
        )
        .map((p) => p.join("")),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            host: value,
            "x-forwarded-host": value,
            "x-forwarded-proto": value,
            forwarded: value,
          },
          { requiredKeys: [] },
        ),
        fc.constantFrom(proxy, stranger, { address: undefined, tls: true }),
        (sent, peer) => {
          const values = new Headers();
          for (const [name, v] of Object.entries(sent)) {
            try {
              values.set(name, v);
            } catch {
              // A value no HTTP server would have accepted.
            }
          }
          const origin = origins.resolve(values, peer);
          if (origin === REFUSED) return;
          const url = new URL(`${origin}/auth/login`);
          expect(url.protocol).toBe("https:");
          expect(["app.example.com", "api.example.com:8443"]).toContain(url.host);
          expect(origins.checked(url.href)).toBe(url.origin);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
