import { createPrivateKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { defaults } from "@entrance/emulator";
import { clientCredentialsToken, signInWithoutBrowser } from "@entrance/emulator/testing";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entrance, requireBearer } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

const API = `api://${defaults.webApp}`;
let t: TestApp;
let meganToken: string;
const logged: string[] = [];
const logger = {
  info: (...args: unknown[]) => logged.push(JSON.stringify(args)),
  warn: (...args: unknown[]) => logged.push(JSON.stringify(args)),
  error: (...args: unknown[]) => logged.push(JSON.stringify(args)),
};

beforeAll(async () => {
  t = await startTestApp(
    (app, auth) => {
      // Standalone, checked against the entrance() just built.
      app.get("/api/orders", requireBearer({ scopes: ["Orders.Read"] }), (req, res) => {
        res.json({ orders: [], caller: req.entrance.caller });
      });
      // Bound to this middleware's core.
      app.post(
        "/api/orders/sync",
        auth.requireBearer({ roles: [defaults.daemonRole] }),
        (req, res) => {
          res.json({
            synced: true,
            app: req.entrance.caller?.appId,
            kind: req.entrance.caller?.kind,
          });
        },
      );
      app.get("/api/open", (req, res) => res.json({ caller: req.entrance.caller }));
    },
    { logger },
  );
  meganToken = (
    await signInWithoutBrowser(t.emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: [`${API}/Orders.Read`],
      redirectUri: `${t.base}/auth/callback`,
    })
  ).accessToken;
});

afterAll(async () => {
  await t?.close();
});

/** An app-only token (client credentials) for the app's API, signed with the emulator's key. */
async function appOnlyToken(roles: string[]): Promise<string> {
  const folder = dirname(t.emulator.caCertPath);
  const [active] = JSON.parse(await readFile(join(folder, "signing-keys.json"), "utf8")) as {
    kid: string;
    privateKeyPem: string;
  }[];
  if (!active) throw new Error("the emulator keeps no signing key");
  const now = Math.floor(Date.now() / 1000);
  const daemon = "e7a9c1b3-5d2f-4e6a-8c0b-1f3d5a7c9e2b";
  return new SignJWT({
    aud: defaults.webApp,
    iss: `${t.emulator.urls.https}/${defaults.contoso}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    azp: daemon,
    azpacr: "1",
    oid: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    sub: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    tid: defaults.contoso,
    roles,
    idtyp: "app",
    ver: "2.0",
  })
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: active.kid })
    .sign(createPrivateKey(active.privateKeyPem));
}

describe("requireBearer in Express", () => {
  it("serves a real emulator token's caller to the route", async () => {
    const response = await fetch(`${t.base}/api/orders`, {
      headers: { authorization: `Bearer ${meganToken}` },
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.caller).toMatchObject({
      kind: "user",
      tenantId: defaults.contoso,
      objectId: defaults.users.admin,
      appId: defaults.webApp,
      version: 2,
    });
    expect(body.caller.scopes).toContain("Orders.Read");
    // Twice: the second answer comes from the verified tokens, the same.
    const again = await fetch(`${t.base}/api/orders`, {
      headers: { authorization: `bearer ${meganToken}` },
    });
    expect((await again.json()).caller).toEqual(body.caller);
  });

  it("answers 401 with a bare Bearer challenge and JSON when no token is sent", async () => {
    const response = await fetch(`${t.base}/api/orders`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({
      error: "bearer_token_missing",
      reason: "missing",
    });
  });

  it("answers 401, not 431 or 5xx, to an Authorization header of 8 KB or more", async () => {
    const response = await fetch(`${t.base}/api/orders`, {
      headers: { authorization: `Bearer ${meganToken}.${"A".repeat(9000)}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ reason: "too_large" });
  });

  it("answers 403 insufficient_scope naming the scope, for a token without it", async () => {
    const response = await fetch(`${t.base}/api/orders/sync`, {
      method: "POST",
      headers: { authorization: `Bearer ${meganToken}` },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer error="insufficient_scope", error_description="This API accepts app-only tokens only."',
    );
    const daemon = await appOnlyToken(["Orders.Read"]);
    const noRole = await fetch(`${t.base}/api/orders/sync`, {
      method: "POST",
      headers: { authorization: `Bearer ${daemon}` },
    });
    expect(noRole.status).toBe(403);
    expect(noRole.headers.get("www-authenticate")).toContain(`scope="${defaults.daemonRole}"`);
    expect(await noRole.json()).toMatchObject({
      error: "bearer_insufficient_scope",
      reason: "role",
    });
  });

  it("lets a real app-only token (client credentials) through the bound guard", async () => {
    const { accessToken: daemon } = await clientCredentialsToken(t.emulator);
    const response = await fetch(`${t.base}/api/orders/sync`, {
      method: "POST",
      headers: { authorization: `Bearer ${daemon}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ synced: true, app: defaults.daemonApp, kind: "app" });
  });

  it("refuses a token for Graph, and leaves routes without the guard alone", async () => {
    const graph = await signInWithoutBrowser(t.emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: ["User.Read"],
      redirectUri: `${t.base}/auth/callback`,
    });
    const response = await fetch(`${t.base}/api/orders`, {
      headers: { authorization: `Bearer ${graph.accessToken}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: "bearer_token_invalid",
      reason: "audience",
    });
    const open = await fetch(`${t.base}/api/open`, {
      headers: { authorization: `Bearer ${meganToken}` },
    });
    expect(await open.json()).toEqual({ caller: null });
  });

  it("answers 503 with a code while the signing keys cannot be read, and logs no token", async () => {
    const { app, emulator } = t;
    // A second core on the same app, cold: it has no keys yet.
    const cold = entrance({ ...t.settings, logger });
    app.get("/api/cold", cold, cold.requireBearer({ scopes: ["Orders.Read"] }), (_req, res) =>
      res.send("ok"),
    );
    emulator.control.queueFault("keys", { kind: "status", status: 503 }, 3);
    const response = await fetch(`${t.base}/api/cold`, {
      headers: { authorization: `Bearer ${meganToken}` },
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "signing_keys_unavailable" });
    emulator.control.clearFaults();
    expect(logged.join("\n")).toContain("signing keys are unavailable");
    for (const part of meganToken.split(".")) expect(logged.join("\n")).not.toContain(part);
  });

  it("refuses at start-up in a multi-tenant app that trusts no tenant", () => {
    const untrusting = entrance({ ...t.settings, authorization: { trustedTenants: [] } });
    expect(() => untrusting.requireBearer({ scopes: ["Orders.Read"] })).toThrow(/trustedTenants/);
  });
});
