/**
 * Security review: role guards and another tenant's roles (finding 1), security headers and
 * no-store on signed-in responses (finding 9), and guard errors answered with their documented
 * status, as JSON for APIs, without a stack trace, with no error handler mounted.
 */
import { defaults } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireGroup, requireRole, securityHeaders } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

const ENGINEERING = "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e";
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp(
    (app) => {
      app.use("/secure", securityHeaders());
      app.get("/secure/page", (_req, res) => res.send("page"));
      app.get("/admin", requireRole("Entrance.Admin"), (_req, res) => res.send("admin page"));
      app.get("/engineering", requireGroup("Engineering"), (_req, res) => res.send("eng"));
      app.get("/open", (_req, res) => res.send("open"));
      // No handleEntranceErrors(): guard errors must still get their documented answer.
    },
    { authorization: { groups: { Engineering: ENGINEERING } } },
  );
  const mallory = t.emulator.directory.user(defaults.users.sameMail)?.value;
  if (!mallory) throw new Error("no Mallory");
  t.emulator.control.putUser(defaults.fabrikam, {
    ...mallory,
    appRoles: { [defaults.webApp]: ["Entrance.Admin"] },
  });
});

afterAll(async () => {
  await t?.close();
});

describe("role guards", () => {
  it("refuse an app role assigned in a tenant the app does not trust", async () => {
    const mallory = await t.signIn("mallory@fabrikam.onmicrosoft.com");
    const res = await fetch(`${t.base}/admin`, {
      headers: { cookie: mallory, accept: "application/json" },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ missing: { roles: ["Entrance.Admin"] } });
  });
});

describe("guard errors without an error handler", () => {
  it("answer groups_unavailable with 502, JSON for an API request and a page otherwise, no stack", async () => {
    const adele = await t.signIn("adele@contoso.onmicrosoft.com"); // group overage
    const fault = {
      kind: "status",
      status: 500,
      body: { error: { code: "InternalServerError", message: "down" } },
    } as const;
    t.emulator.control.queueFault("graph", fault, 10);
    const api = await fetch(`${t.base}/engineering`, {
      headers: { cookie: adele, accept: "application/json" },
    });
    expect(api.status).toBe(502);
    expect(await api.json()).toMatchObject({ error: "groups_unavailable" });

    const page = await fetch(`${t.base}/engineering`, {
      headers: { cookie: adele, accept: "text/html" },
    });
    expect(page.status).toBe(502);
    const html = await page.text();
    expect(html).toContain("groups_unavailable");
    expect(html).not.toMatch(/\bat .+:\d+:\d+/);
    t.emulator.control.clearFaults();
  });
});

describe("responses to signed-in requests", () => {
  it("are not cacheable by default; signed-out ones are left alone", async () => {
    const lee = await t.signIn("lee@contoso.onmicrosoft.com");
    const signedIn = await fetch(`${t.base}/open`, { headers: { cookie: lee } });
    expect(signedIn.headers.get("cache-control")).toBe("no-store");
    const anonymous = await fetch(`${t.base}/open`);
    expect(anonymous.headers.get("cache-control")).toBeNull();
  });

  it("securityHeaders() gives app pages CSP (forms may reach Entra), no framing and nosniff", async () => {
    const res = await fetch(`${t.base}/secure/page`);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`form-action 'self' ${new URL(t.emulator.urls.http).origin}`);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
  });
});
