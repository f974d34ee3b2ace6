/**
 * What @hono/node-server changes: Entrance adds a signed-in response's `no-store` to the head the
 * Node response writes, so a route's own Cache-Control must still win, however the route answers
 * (Hono's own headers, a Response's, or straight on the Node response). Over real HTTP, signed in through the emulator's pages.
 */
import type { AddressInfo } from "node:net";
import { Browser } from "@entrance/adapter-conformance";
import { createMemoryStore, trustCertificateAuthority } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { createAdaptorServer, type ServerType } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EntranceEnv, type EntranceMiddleware, entrance } from "../src/index.js";

let emulator: RunningEmulator;
let server: ServerType;
let auth: EntranceMiddleware;
let base: string;

beforeAll(async () => {
  emulator = await startEmulator();
  let app: Hono<EntranceEnv> | undefined;
  server = createAdaptorServer({
    fetch: (request, env) => (app ? app.fetch(request, env) : new Response(null, { status: 503 })),
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  emulator.control.putApp(defaults.contoso, {
    ...emulator.directory.app(defaults.webApp)?.value,
    clientId: defaults.webApp,
    displayName: "Hono on Node",
    redirectUris: [`${base}/auth/callback`],
  });
  auth = entrance({
    tenantId: "organizations",
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    baseUrl: base,
    secrets: ["hono-node-secret-hono-node-secret-hono-node"],
    trust: trustCertificateAuthority(emulator.caCertPem),
    store: createMemoryStore(),
    env: {},
  });
  app = new Hono<EntranceEnv>()
    // An app's own guard in front of Entrance: cross-site requests travel without the session.
    .use((c, next) => {
      if (c.req.header("sec-fetch-site") === "cross-site") c.req.raw.headers.delete("cookie");
      return next();
    })
    .use(auth);
  app.get("/private", auth.requireAuth(), (c) => c.text(c.get("entrance").user?.username ?? ""));
  app.get("/plain", (c) => c.html("<p>plain</p>"));
  app.get("/header", (c) => {
    c.header("Cache-Control", "private, max-age=60");
    return c.text("header");
  });
  app.get("/init", (c) => c.json({ init: true }, 200, { "Cache-Control": "private, max-age=61" }));
  app.get("/raw", () => new Response("raw", { headers: { "cache-control": "max-age=62" } }));
  app.get("/stream", () => new Response(new Blob(["stream"]).stream()));
  app.get("/empty", (c) => c.body(null, 204));
  app.get("/moved", (c) => c.redirect("/plain"));
  app.get("/write-header", (c) => {
    // Node's older name for writeHead, still on every HTTP/1 response.
    const { outgoing } = c.env as {
      outgoing: { writeHeader(status: number, headers: object): { end(body: string): void } };
    };
    outgoing.writeHeader(200, { "content-type": "text/plain" }).end("written");
    return RESPONSE_ALREADY_SENT;
  });
  app.get("/node", (c) => {
    (c.env as { outgoing: { setHeader(n: string, v: string): void } }).outgoing.setHeader(
      "Cache-Control",
      "private, max-age=63",
    );
    return c.text("node");
  });
});

afterAll(async () => {
  server.close();
  await auth?.core.close();
  await emulator?.stop();
});

describe("@entrance/hono on @hono/node-server", () => {
  it("sends a signed-in response no-store unless the route set its own Cache-Control", async () => {
    const browser = new Browser(base);
    const callback = await browser.signInAt(
      emulator,
      "/auth/login?returnTo=%2Fplain",
      "megan@contoso.onmicrosoft.com",
    );
    expect(callback.status).toBe(302);
    const cacheControl = async (path: string, status = 200) => {
      const res = await browser.get(path);
      expect(res.status, path).toBe(status);
      return res.headers.get("cache-control");
    };
    expect(await cacheControl("/plain")).toBe("no-store");
    expect(await cacheControl("/stream")).toBe("no-store");
    expect(await cacheControl("/empty", 204)).toBe("no-store");
    expect(await cacheControl("/moved", 302)).toBe("no-store");
    expect(await cacheControl("/node")).toBe("private, max-age=63");
    expect(await cacheControl("/write-header")).toBe("no-store");
    expect(await cacheControl("/header")).toBe("private, max-age=60");
    expect(await cacheControl("/init")).toBe("private, max-age=61");
    expect(await cacheControl("/raw")).toBe("max-age=62");
    // What the app took off the request before Entrance is not there for Entrance either (a
    // review found core reading the Node request's own headers past such a change).
    expect((await browser.get("/private")).status).toBe(200);
    const crossSite = await browser.get("/private", { "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(302);
    expect(crossSite.headers.get("location")).toMatch(/^\/auth\/login\?/);
    // Signed out: nothing added, the page stays cacheable.
    expect((await new Browser(base).get("/plain")).headers.get("cache-control")).toBeNull();
  });
});
