/**
 * An adapter's app behind a reverse proxy without `baseUrl`: a small node:http proxy on 127.0.0.1
 * that ends "TLS" for `app.example.com` (it says so in X-Forwarded-Proto/Host) and connects to the
 * app from 127.0.0.2, the one address the app trusts (`trustProxy`). A whole sign-in goes through
 * it; the same headers sent straight to the app, from an address it does not trust, are ignored.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdapterHarness, RunningApp } from "./harness.js";
import { entranceOptions } from "./setup.js";

/** The public host the proxy serves the app on. */
const PUBLIC = "app.example.com";
/** The proxy's address towards the app: the only one the app trusts. */
const PROXY_ADDRESS = "127.0.0.2";

interface Answer {
  readonly status: number;
  readonly location: string;
  readonly cookies: string[];
  readonly body: string;
}

/** GET `url` with `headers` (Host as given), from `localAddress`. */
function get(url: string, headers: Record<string, string>, localAddress?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(url, { headers, setHost: false, localAddress }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          location: String(res.headers.location ?? ""),
          cookies: res.headers["set-cookie"] ?? [],
          body,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

/** The reverse proxy: forwards to `target`, writing X-Forwarded-Proto/Host over the client's. */
function startProxy(target: string): Promise<Server> {
  const server = createServer((req, res) => {
    const headers = { ...req.headers, "x-forwarded-proto": "https", "x-forwarded-host": PUBLIC };
    const upstream = httpRequest(
      `${target}${req.url ?? "/"}`,
      { method: req.method, headers, setHost: false, localAddress: PROXY_ADDRESS },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.listen(0, "127.0.0.1");
  return new Promise((resolve) => server.once("listening", () => resolve(server)));
}

/**
 * Defines the reverse-proxy suite for one adapter: its harness's app with `allowedHosts` and
 * `trustProxy` instead of `baseUrl`.
 */
export function reverseProxyConformance(name: string, harness: AdapterHarness): void {
  describe(`behind a reverse proxy without baseUrl: ${name}`, () => {
    let emulator: RunningEmulator;
    let app: RunningApp;
    let proxy: Server;
    let proxyBase: string;
    /** The app itself, not through the proxy. */
    let direct: string;
    beforeAll(async () => {
      emulator = await startEmulator();
      emulator.control.putApp(defaults.contoso, {
        ...emulator.directory.app(defaults.webApp)?.value,
        clientId: defaults.webApp,
        displayName: "Behind a reverse proxy",
        redirectUris: [`https://${PUBLIC}/auth/callback`],
      });
      app = await harness.start((baseUrl) => ({
        ...entranceOptions(emulator, baseUrl),
        baseUrl: undefined,
        allowedHosts: [PUBLIC],
        trustProxy: [PROXY_ADDRESS],
      }));
      direct = app.baseUrl.replace("localhost", "127.0.0.1");
      proxy = await startProxy(direct);
      proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      proxy?.closeAllConnections();
      await new Promise((resolve) => proxy?.close(resolve));
      await app?.stop();
      await emulator?.stop();
    });

    it("signs in through the proxy with the https redirect URI it forwards, and the page sees the user", async () => {
      const page = await get(`${proxyBase}/page/auth`, { host: PUBLIC });
      expect(page.status).toBe(302);
      const login = await get(new URL(page.location, proxyBase).href, { host: PUBLIC });
      const authorize = new URL(login.location);
      expect(authorize.searchParams.get("redirect_uri")).toBe(`https://${PUBLIC}/auth/callback`);
      expect(login.cookies.join("\n")).toMatch(/^__Host-entrance-binding=[^;]+;.*Secure/);
      const binding = login.cookies.map((c) => c.split(";")[0]).join("; ");
      const { location } = await pickAccount(emulator, login.location, {
        user: "lee@contoso.onmicrosoft.com",
      });
      // Entra sends the browser to https://app.example.com/…, which DNS gives the proxy.
      const back = new URL(location);
      expect(back.origin).toBe(`https://${PUBLIC}`);
      const done = await get(`${proxyBase}${back.pathname}${back.search}`, {
        host: PUBLIC,
        cookie: binding,
      });
      expect(done.status).toBe(302);
      expect(done.location).toBe("/page/auth");
      const session = done.cookies.find((c) => c.startsWith("__Host-entrance-session="));
      expect(session).toMatch(/; Secure/);
      const whoami = await get(`${proxyBase}/whoami`, {
        host: PUBLIC,
        cookie: session?.split(";")[0] ?? "",
      });
      expect(JSON.parse(whoami.body)).toMatchObject({ signedIn: true });
    });

    it("answers the same forwarded headers sent straight to the app, untrusted, with 400 and nothing else", async () => {
      const forged = { host: PUBLIC, "x-forwarded-proto": "https", "x-forwarded-host": PUBLIC };
      for (const path of ["/auth/login?returnTo=%2F", "/whoami", "/page/auth"]) {
        const answer = await get(`${direct}${path}`, { ...forged, accept: "application/json" });
        expect(answer.status).toBe(400);
        expect(JSON.parse(answer.body)).toMatchObject({ error: "host_not_allowed" });
        expect(answer.location).toBe("");
        expect(answer.cookies.filter((c) => c.includes("entrance-"))).toEqual([]);
      }
    });

    it("answers a Host the app does not answer on with 400, while the proxy's requests pass", async () => {
      const proxied = await get(`${proxyBase}/whoami`, {
        host: PUBLIC,
        accept: "application/json",
      });
      expect(proxied.status).toBe(200);
      const elsewhere = await get(`${direct}/whoami`, { host: "evil.example" });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body).toContain("does not answer on this address");
    });
  });
}
