import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entrance, requireAuth, trustCertificateAuthority } from "../src/index.js";

let emulator: RunningEmulator;
let server: Server;
let base: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const app = express();
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  emulator.control.putApp(defaults.contoso, {
    clientId: "c0c0c0c0-1111-4222-8333-444455556666",
    displayName: "Express test app",
    secrets: ["express-test-secret-0123456789"],
    redirectUris: [`${base}/auth/callback`, `${base}/`],
    multiTenant: true,
  });
  app.use(
    entrance({
      tenantId: "organizations",
      clientId: "c0c0c0c0-1111-4222-8333-444455556666",
      clientSecret: "express-test-secret-0123456789",
      authorityHost: emulator.urls.https,
      baseUrl: base,
      secrets: ["express-test-secret-express-test-secret"],
      trust: trustCertificateAuthority(emulator.caCertPem),
      store: createMemoryStore(),
      env: {},
    }),
  );
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

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await emulator?.stop();
});

async function signIn(user: string): Promise<string> {
  const login = await fetch(`${base}/auth/login?returnTo=/private`, { redirect: "manual" });
  const binding = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { location } = await pickAccount(emulator, login.headers.get("location") ?? "", { user });
  const callback = await fetch(location, { redirect: "manual", headers: { cookie: binding } });
  expect(callback.headers.get("location")).toBe("/private");
  return callback.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("@entrance/express", () => {
  it("gives every template the user, the sign-in link back to this page, and the sign-out link", async () => {
    const res = await fetch(`${base}/?tab=2`);
    expect(await res.json()).toEqual({
      user: null,
      loginUrl: "/auth/login?returnTo=%2F%3Ftab%3D2",
      logoutUrl: "/auth/logout",
    });
  });

  it("requireAuth redirects a page request to sign-in and back", async () => {
    const res = await fetch(`${base}/private`, {
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
      const res = await fetch(`${base}/private`, { redirect: "manual", headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: "unauthenticated",
        loginUrl: "/auth/login?returnTo=%2Fprivate",
      });
    }
  });

  it("signs in through the emulator and then knows the user on every request", async () => {
    const cookie = await signIn("megan@contoso.onmicrosoft.com");
    const res = await fetch(`${base}/private`, { headers: { cookie } });
    expect(await res.json()).toEqual({ oid: defaults.users.admin, signedIn: true });
    const home = await fetch(`${base}/`, { headers: { cookie } });
    expect((await home.json()).user).toBe("megan@contoso.onmicrosoft.com");
  });

  it("serves the popup script", async () => {
    const res = await fetch(`${base}/auth/popup.js`);
    expect(res.headers.get("content-type")).toContain("javascript");
    expect(await res.text()).toContain("data-entrance-popup");
  });
});
