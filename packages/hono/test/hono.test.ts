/**
 * What is Hono's own: URLs on the public origin whatever host the request came to, headers on
 * responses Hono cannot change in place, start-up checks. In-process (`app.request`); no
 * identity provider is reached.
 */
import { createMemoryStore, type LogFields } from "@entrance/core";
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import {
  type EntranceEnv,
  entrance,
  type HonoEntranceOptions,
  handleEntranceErrors,
  requireBearer,
  securityHeaders,
} from "../src/index.js";

const options = (): HonoEntranceOptions => ({
  tenantId: "organizations",
  clientId: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
  clientSecret: "a-secret",
  baseUrl: "https://app.example",
  secrets: ["hono-test-secret-hono-test-secret-hono"],
  store: createMemoryStore(),
  env: {},
});

describe("@entrance/hono", () => {
  it("builds links from the app's public origin, not the address a request came to", async () => {
    const app = new Hono<EntranceEnv>().use(entrance(options()));
    app.get("/x", (c) =>
      c.json({ login: c.get("entrance").loginUrl(), url: c.get("entrance").request.url }),
    );
    const res = await app.request("http://10.0.0.5:8080/x?y=1");
    expect(await res.json()).toEqual({
      login: "/auth/login?returnTo=%2Fx%3Fy%3D1",
      url: "https://app.example/x?y=1",
    });
  });

  it("adds security headers to a response with immutable headers, keeping a route's own", async () => {
    const app = new Hono<EntranceEnv>().use(entrance(options()), securityHeaders());
    app.get("/away", () => Response.redirect("https://app.example/", 302));
    app.get("/own", (c) => c.text("own", 200, { "x-frame-options": "SAMEORIGIN" }));
    const away = await app.request("/away");
    expect(away.status).toBe(302);
    expect(away.headers.get("x-content-type-options")).toBe("nosniff");
    const own = await app.request("/own");
    expect(own.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(own.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("stops on a bad setting, naming it, on a guard for an unknown group, and on a bearer guard it cannot keep", () => {
    expect(() => entrance({ ...options(), clientId: "not-a-guid" })).toThrow(
      /clientId|AZURE_CLIENT_ID/,
    );
    expect(() => entrance(options()).requireGroup("No such group")).toThrow(/No such group/);
    // Multi-tenant, trusting no tenant: whose tokens would it accept?
    expect(() => entrance(options()).requireBearer({ scopes: ["Orders.Read"] })).toThrow(
      /trustedTenants/,
    );
    expect(() => requireBearer({ roles: ["Orders.Sync"], callers: "user" })).toThrow(TypeError);
  });

  it("answers hostile input on Entrance's paths with a clear error, not a crash", async () => {
    const app = new Hono<EntranceEnv>().use(entrance(options()));
    const res = await app.request("/auth/callback?state=%ff%00&code=%");
    expect(res.status).toBe(400);
    expect(await res.text()).not.toMatch(/\bat .+:\d+:\d+/);
  });

  it("logs a handler's unexpected error through Entrance's logger, the token in its message redacted", async () => {
    const lines: { fields: LogFields; message: string }[] = [];
    const keep = (fields: LogFields, message: string) => void lines.push({ fields, message });
    const stderr = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const auth = entrance({ ...options(), logger: { error: keep, warn: keep } });
      const app = new Hono<EntranceEnv>().use(auth);
      app.onError(handleEntranceErrors());
      // What a failed downstream call's error may quote: the access token it sent.
      const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZWdhbiJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
      app.get("/boom", () => {
        throw new Error(`the orders API refused Bearer ${token}`);
      });
      const res = await app.request("/boom");
      expect(res.status).toBe(500);
      expect(await res.text()).toBe("Internal Server Error");
      expect(stderr).not.toHaveBeenCalled();
      expect(lines).toHaveLength(1);
      expect(lines[0]?.fields.event).toBe("handler_failed");
      const logged = JSON.stringify(lines);
      expect(logged).toContain("the orders API refused");
      expect(logged).not.toContain(token.slice(0, 20));
    } finally {
      stderr.mockRestore();
    }
  });
});
