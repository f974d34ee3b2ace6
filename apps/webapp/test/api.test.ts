import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import {
  clientCredentialsToken,
  pickAccount,
  signInWithoutBrowser,
} from "@entrance/emulator/testing";
import { trustCertificateAuthority } from "@entrance/express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

const API = `api://${defaults.webApp}`;
let emulator: RunningEmulator;
let server: Server;
let base: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const { createServer } = await import("node:http");
  server = createServer();
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const registered = emulator.directory.app(defaults.webApp)?.value;
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    clientId: defaults.webApp,
    displayName: "Entrance reference app",
    redirectUris: [`${base}/auth/callback`, `${base}/`],
  });
  const { app } = createApp({
    tenantId: "organizations",
    authorization: { trustedTenants: [defaults.contoso] },
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    graphBaseUrl: emulator.urls.https,
    baseUrl: base,
    secrets: ["reference-app-test-secret-0123456789"],
    trust: trustCertificateAuthority(emulator.caCertPem),
    store: createMemoryStore(),
    env: {},
  });
  server.on("request", app);
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await emulator?.stop();
});

/** The cookies a response sets, as a Cookie header. */
function cookiesOf(response: Response, jar = new Map<string, string>()): Map<string, string> {
  for (const line of response.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const eq = pair.indexOf("=");
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return jar;
}
const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

describe("the reference app's API", () => {
  it("answers a user's token for Orders.Read with their orders, and refuses a missing one", async () => {
    const { accessToken } = await signInWithoutBrowser(emulator, {
      user: "lee@contoso.onmicrosoft.com",
      scopes: [`${API}/Orders.Read`],
      redirectUri: `${base}/auth/callback`,
    });
    const response = await fetch(`${base}/api/orders`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.caller).toMatchObject({
      kind: "user",
      objectId: defaults.users.member,
      tenantId: defaults.contoso,
    });
    expect(body.orders[0]).toMatchObject({ owner: defaults.users.member });
    const none = await fetch(`${base}/api/orders`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("reads the caller's Graph profile on their behalf, and refuses the daemon", async () => {
    const { accessToken } = await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: [`${API}/Orders.Read`],
      redirectUri: `${base}/auth/callback`,
    });
    const response = await fetch(`${base}/api/profile`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ displayName: "Megan Bowen", mail: "megan.bowen@contoso.com" });
    expect(JSON.stringify(body)).not.toMatch(/eyJ/);
    const { accessToken: daemon } = await clientCredentialsToken(emulator);
    const refused = await fetch(`${base}/api/profile`, {
      headers: { authorization: `Bearer ${daemon}`, accept: "application/json" },
    });
    expect(refused.status).toBe(403);
  });

  it("lets the daemon read every order, and not a user's route", async () => {
    const { accessToken: daemon } = await clientCredentialsToken(emulator);
    const all = await fetch(`${base}/api/orders/all`, {
      headers: { authorization: `Bearer ${daemon}` },
    });
    expect(all.status).toBe(200);
    expect((await all.json()).caller).toMatchObject({ kind: "app", appId: defaults.daemonApp });
    const mine = await fetch(`${base}/api/orders`, {
      headers: { authorization: `Bearer ${daemon}` },
    });
    expect(mine.status).toBe(403);
  });

  it("shows a signed-in user the API's answer after consent, never the token", async () => {
    // Sign in, then open /orders: consent to Orders.Read at the emulator, and back.
    const jar = new Map<string, string>();
    let response = await fetch(`${base}/auth/login?returnTo=%2Forders`, { redirect: "manual" });
    cookiesOf(response, jar);
    let next = (
      await pickAccount(emulator, response.headers.get("location") ?? "", {
        user: "alex@contoso.onmicrosoft.com",
      })
    ).location;
    for (let hop = 0; hop < 10 && next; hop++) {
      const url = new URL(next, base);
      if (url.origin !== new URL(base).origin) {
        next = (await pickAccount(emulator, url, { user: "alex@contoso.onmicrosoft.com" }))
          .location;
        continue;
      }
      response = await fetch(url, {
        redirect: "manual",
        headers: { cookie: header(jar), accept: "text/html" },
      });
      cookiesOf(response, jar);
      next = response.status === 302 ? (response.headers.get("location") ?? "") : "";
    }
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("HTTP 200");
    expect(page).toContain(defaults.users.noPhoto);
    expect(page).toContain("Surface Laptop");
    expect(page).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });
});
