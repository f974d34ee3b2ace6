import { defaults } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireAuth } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp((app) => {
    app.get("/", (_req, res) => {
      res.json({
        user: res.locals.user?.username ?? null,
        loginUrl: res.locals.loginUrl,
        logoutUrl: res.locals.logoutUrl,
      });
    });
    app.get("/private", requireAuth(), (req, res) => {
      res.json({ oid: req.entrance.user?.objectId, signedIn: req.entrance.isSignedIn });
    });
  });
});

afterAll(async () => {
  await t?.close();
});

describe("@entrance/express", () => {
  it("gives every template the user, the sign-in link back to this page, and the sign-out link", async () => {
    const res = await fetch(`${t.base}/?tab=2`);
    expect(await res.json()).toEqual({
      user: null,
      loginUrl: "/auth/login?returnTo=%2F%3Ftab%3D2",
      logoutUrl: "/auth/logout",
    });
  });

  it("requireAuth redirects a page request to sign-in and back", async () => {
    const res = await fetch(`${t.base}/private`, {
      redirect: "manual",
      headers: { accept: "text/html" },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/login?returnTo=%2Fprivate");
  });

  it("requireAuth answers an API request with 401 JSON", async () => {
    for (const headers of [
      { accept: "application/json" },
      { "x-requested-with": "XMLHttpRequest" },
    ]) {
      const res = await fetch(`${t.base}/private`, { redirect: "manual", headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: "unauthenticated",
        loginUrl: "/auth/login?returnTo=%2Fprivate",
      });
    }
  });

  it("signs in through the emulator and then knows the user on every request", async () => {
    const cookie = await t.signIn("megan@contoso.onmicrosoft.com", "/private");
    const res = await fetch(`${t.base}/private`, { headers: { cookie } });
    expect(await res.json()).toEqual({ oid: defaults.users.admin, signedIn: true });
    const home = await fetch(`${t.base}/`, { headers: { cookie } });
    expect((await home.json()).user).toBe("megan@contoso.onmicrosoft.com");
  });

  it("serves the popup script", async () => {
    const res = await fetch(`${t.base}/auth/popup.js`);
    expect(res.headers.get("content-type")).toContain("javascript");
    expect(await res.text()).toContain("data-entrance-popup");
  });
});
