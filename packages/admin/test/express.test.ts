import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { entranceAdmin } from "@entrance/admin/express";
import { createMemoryStore } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import { entrance, trustCertificateAuthority } from "@entrance/express";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfOf, textOf } from "./support.js";

let emulator: RunningEmulator;
let server: Server;
let base: string;
const store = createMemoryStore();

beforeAll(async () => {
  emulator = await startEmulator();
  const app = express();
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const registered = emulator.directory.app(defaults.webApp)?.value;
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    clientId: defaults.webApp,
    displayName: "Entrance reference app",
    redirectUris: [`${base}/auth/callback`],
  });
  app.use(
    entrance({
      tenantId: "organizations",
      // Multi-tenant: only the app's home tenant (Contoso) assigns roles that count.
      authorization: { trustedTenants: [defaults.contoso] },
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
      authorityHost: emulator.urls.https,
      baseUrl: base,
      secrets: ["express-admin-secret-express-admin-secret"],
      trust: trustCertificateAuthority(emulator.caCertPem),
      store,
      env: {},
    }),
  );
  // A body parser before the panel must not break its forms.
  app.use("/staff/admin", express.urlencoded({ extended: false }), entranceAdmin());
  app.use("/raw-admin", entranceAdmin());
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await emulator?.stop();
});

/** Signs in through the Express app's real endpoints; returns the Cookie header. */
async function signIn(user: string): Promise<string> {
  const login = await fetch(`${base}/auth/login?returnTo=/`, { redirect: "manual" });
  const cookies = login.headers.getSetCookie().map((c) => c.split(";")[0]);
  const { location } = await pickAccount(emulator, login.headers.get("location") ?? "", { user });
  const callback = await fetch(location, {
    redirect: "manual",
    headers: { cookie: cookies.join("; ") },
  });
  cookies.push(...callback.headers.getSetCookie().map((c) => c.split(";")[0]));
  return cookies.join("; ");
}

describe("entranceAdmin() in Express", () => {
  it("serves the panel under its mount path, using the core of entrance()", async () => {
    const anonymous = await fetch(`${base}/staff/admin/users?q=x`, { redirect: "manual" });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toBe(
      `/auth/login?returnTo=${encodeURIComponent("/staff/admin/users?q=x")}`,
    );
    const cookie = await signIn("megan@contoso.onmicrosoft.com");
    const users = await fetch(`${base}/staff/admin/users`, { headers: { cookie } });
    expect(users.status).toBe(200);
    expect(users.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const html = await users.text();
    expect(html).toContain('href="/staff/admin/audit"');
    expect(textOf(html)).toContain("Megan Bowen");
  });

  for (const mount of ["/staff/admin", "/raw-admin"]) {
    it(`performs a confirmed action posted as a form (${mount === "/raw-admin" ? "no" : "with a"} body parser)`, async () => {
      const admin = await signIn("megan@contoso.onmicrosoft.com");
      const lee = await signIn("lee@contoso.onmicrosoft.com");
      const path = `${mount}/users/${defaults.contoso}/${defaults.users.member}/end-sessions`;
      const page = await (await fetch(`${base}${path}`, { headers: { cookie: admin } })).text();
      const response = await fetch(`${base}${path}`, {
        method: "POST",
        redirect: "manual",
        headers: {
          cookie: admin,
          origin: base,
          "sec-fetch-site": "same-origin",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ csrf: csrfOf(page) }),
      });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toMatch(/\?done=sessions-ended&n=\d+$/);
      const leeNow = await fetch(`${base}${mount}/users`, {
        headers: { cookie: lee },
        redirect: "manual",
      });
      expect(leeNow.status).toBe(302);
    });
  }

  it("refuses a cross-site POST", async () => {
    const admin = await signIn("megan@contoso.onmicrosoft.com");
    const path = `/raw-admin/users/${defaults.contoso}/${defaults.users.member}/evict-tokens`;
    const page = await (await fetch(`${base}${path}`, { headers: { cookie: admin } })).text();
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: admin,
        origin: "https://evil.example",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ csrf: csrfOf(page) }),
    });
    expect(response.status).toBe(403);
  });

  it("says what to do when entrance() is not mounted before it, and checks options at once", async () => {
    const bare = express();
    const errors: string[] = [];
    bare.use("/admin", entranceAdmin());
    bare.use(((error, _req, res, _next) => {
      errors.push((error as Error).message);
      res.status(500).end();
    }) as express.ErrorRequestHandler);
    const other = bare.listen(0, "127.0.0.1");
    await new Promise((resolve) => other.once("listening", resolve));
    const port = (other.address() as AddressInfo).port;
    await fetch(`http://127.0.0.1:${port}/admin/users`);
    other.closeAllConnections();
    other.close();
    expect(errors[0]).toContain("needs entrance() before it");
    expect(() => entranceAdmin({ pageSize: 1000 })).toThrow(/pageSize/);
  });
});
