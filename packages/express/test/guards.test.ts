import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireGroup, requirePermission, requireRole } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

const ENGINEERING = "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e";
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp(
    (app) => {
      app.get("/admin", requireRole("Entrance.Admin"), (_req, res) => res.send("admin page"));
      app.get("/engineering", requireGroup("Engineering"), (_req, res) =>
        res.send("engineering page"),
      );
      app.get("/approve", requirePermission("orders.approve"), (req, res) =>
        res.json(req.entrance.user?.permissions),
      );
      app.get("/both", requireRole("Entrance.Admin"), requireGroup("Engineering"), (_req, res) =>
        res.send("both"),
      );
    },
    {
      authorization: {
        groups: { Engineering: ENGINEERING },
        permissions: { "orders.approve": { roles: ["Orders.Approve", "Entrance.Admin"] } },
      },
    },
  );
});

afterAll(async () => {
  await t?.close();
});

const signIn = (user: string) => t.signIn(user);

describe("guards", () => {
  it("let an admin in and show others a 403 page that says what is missing", async () => {
    const megan = await signIn("megan@contoso.onmicrosoft.com");
    expect(await (await fetch(`${t.base}/admin`, { headers: { cookie: megan } })).text()).toBe(
      "admin page",
    );
    const lee = await signIn("lee@contoso.onmicrosoft.com");
    const page = await fetch(`${t.base}/admin`, { headers: { cookie: lee, accept: "text/html" } });
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain("This needs one of the app roles Entrance.Admin.");
    expect(html).toContain("You are signed in as Lee Gu; your app roles: none.");
    const api = await fetch(`${t.base}/admin`, {
      headers: { cookie: lee, accept: "application/json" },
    });
    expect(await api.json()).toMatchObject({
      error: "forbidden",
      missing: { roles: ["Entrance.Admin"] },
    });
  });

  it("check groups by configured name, and combine", async () => {
    const megan = await signIn("megan@contoso.onmicrosoft.com");
    const alex = await signIn("alex@contoso.onmicrosoft.com");
    expect((await fetch(`${t.base}/engineering`, { headers: { cookie: megan } })).status).toBe(200);
    expect((await fetch(`${t.base}/engineering`, { headers: { cookie: alex } })).status).toBe(403);
    expect(await (await fetch(`${t.base}/both`, { headers: { cookie: megan } })).text()).toBe(
      "both",
    );
    const lee = await signIn("lee@contoso.onmicrosoft.com"); // in Engineering, not an admin
    expect((await fetch(`${t.base}/both`, { headers: { cookie: lee } })).status).toBe(403);
  });

  it("resolve an overage user's groups through Graph before deciding", async () => {
    const adele = await signIn("adele@contoso.onmicrosoft.com");
    t.emulator.control.resetCounts();
    const res = await fetch(`${t.base}/engineering`, {
      headers: { cookie: adele, accept: "application/json" },
    });
    expect(res.status).toBe(403);
    expect(t.emulator.control.counts().graph).toBe(1);
  });

  it("map roles to the app's permissions, on req.entrance.user", async () => {
    const alex = await signIn("alex@contoso.onmicrosoft.com");
    expect(await (await fetch(`${t.base}/approve`, { headers: { cookie: alex } })).json()).toEqual([
      "orders.approve",
    ]);
    const lee = await signIn("lee@contoso.onmicrosoft.com");
    expect((await fetch(`${t.base}/approve`, { headers: { cookie: lee } })).status).toBe(403);
  });

  it("send someone not signed in to sign in first", async () => {
    const res = await fetch(`${t.base}/admin`, {
      redirect: "manual",
      headers: { accept: "text/html" },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/login?returnTo=%2Fadmin");
  });
});
