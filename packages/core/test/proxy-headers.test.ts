import { createServer, request as httpRequest, type Server } from "node:http";
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMemoryStore,
  type Entrance,
  loadConfig,
  publicRequest,
  toWebRequest,
  writeWebResponse,
} from "../src/index.js";
import { APP_BASE, CookieJar, entranceFor } from "./support/emulated.js";

/** What an attacker, or a misconfigured proxy in front of the app, may send. */
const HOSTILE: Record<string, string> = {
  host: "evil.example",
  "x-forwarded-host": "evil.example, app.example.com",
  "x-forwarded-proto": "http, https",
  "x-forwarded-port": "8080",
  "x-forwarded-for": "203.0.113.9, 10.0.0.1",
  forwarded: 'for=203.0.113.9;host=evil.example;proto=http, for="[2001:db8::1]";host=evil2.example',
  "x-original-host": "evil.example",
  "x-host": "evil.example",
};

let emulator: RunningEmulator;
let entrance: Entrance;
let server: Server;
let serverBase: string;
beforeAll(async () => {
  emulator = await startEmulator();
  entrance = entranceFor(emulator, createMemoryStore());
  // A plain Node server in front of the core, as every Node adapter is: the request made on the
  // configured base URL by core's own helper.
  server = createServer((req, res) => {
    void (async () => {
      const answer = await entrance.handle(
        toWebRequest(req, req.url ?? "/", entrance.config.baseUrl),
        { ip: "127.0.0.1" },
      );
      await writeWebResponse(res, answer ?? new Response("not ours", { status: 404 }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serverBase = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await emulator?.stop();
});

/** GET through the Node server with the hostile headers; status and headers. */
function nodeGet(
  path: string,
  cookie = "",
): Promise<{ status: number; location: string; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${serverBase}${path}`,
      { headers: { ...HOSTILE, ...(cookie ? { cookie } : {}) }, setHost: false },
      (res) => {
        res.resume();
        const setCookie = res.headers["set-cookie"] ?? [];
        resolve({
          status: res.statusCode ?? 0,
          location: String(res.headers.location ?? ""),
          cookies: setCookie,
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** The sign-in redirect's own redirect_uri, and everything else that could name a host. */
function expectOnlyTheConfiguredOrigin(location: string, cookies: readonly string[]) {
  const authorize = new URL(location);
  expect(authorize.searchParams.get("redirect_uri")).toBe(`${APP_BASE}/auth/callback`);
  expect(`${location}\n${cookies.join("\n")}`).not.toMatch(/evil|8080|203\.0\.113/);
}

describe("reverse proxies: the redirect URI comes from ENTRANCE_BASE_URL only", () => {
  it("ignores a hostile Host and X-Forwarded-* on a Node server", async () => {
    const login = await nodeGet("/auth/login?returnTo=%2Forders");
    expect(login.status).toBe(302);
    expect(login.location.startsWith(`${emulator.urls.http}/`)).toBe(true);
    expectOnlyTheConfiguredOrigin(login.location, login.cookies);
  });

  it("ignores them on a fetch-style server (a Request whose own URL is the attacker's)", async () => {
    const hostile = new Request("http://evil.example:8080/auth/login", { headers: HOSTILE });
    const login = await entrance.handle(publicRequest(hostile, entrance.config.baseUrl));
    expect(login?.status).toBe(302);
    expectOnlyTheConfiguredOrigin(
      login?.headers.get("location") ?? "",
      login?.headers.getSetCookie() ?? [],
    );
    // Even handed the hostile Request itself, the core builds nothing from its origin.
    const direct = await entrance.handle(hostile);
    expectOnlyTheConfiguredOrigin(
      direct?.headers.get("location") ?? "",
      direct?.headers.getSetCookie() ?? [],
    );
  });

  it("completes the sign-in and returns only to a path on the configured origin", async () => {
    const jar = new CookieJar();
    const login = await nodeGet(
      `/auth/login?returnTo=${encodeURIComponent("https://evil.example/steal")}`,
    );
    for (const line of login.cookies)
      jar.take(new Response(null, { headers: [["set-cookie", line]] }));
    const { location: callback } = await pickAccount(emulator, login.location, {
      user: "lee@contoso.onmicrosoft.com",
    });
    // Entra sends the browser to the registered redirect URI, on the configured origin.
    expect(new URL(callback).origin).toBe(APP_BASE);
    const done = await nodeGet(callback.slice(APP_BASE.length), jar.header);
    expect(done.status).toBe(302);
    // The hostile returnTo was refused for the site's root; no header named another host.
    expect(done.location).toBe("/");
    expect(done.cookies.join("\n")).not.toMatch(/evil|Domain=/i);
  });

  it("refuses sign-out posted from a page of the forwarded host", async () => {
    const jar = new CookieJar();
    const res = await entrance.handle(
      new Request(`${APP_BASE}/auth/logout`, {
        method: "POST",
        headers: { ...HOSTILE, origin: "https://evil.example", cookie: jar.header },
      }),
    );
    expect(res?.status).toBe(403);
  });

  it("says, when ENTRANCE_BASE_URL is missing, that it is not taken from the request", () => {
    expect(() =>
      loadConfig(
        {},
        {
          AZURE_TENANT_ID: "contoso.onmicrosoft.com",
          AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
          AZURE_CLIENT_SECRET: "secret-value",
          ENTRANCE_SECRET: "a".repeat(44),
        },
      ),
    ).toThrow(/ENTRANCE_BASE_URL.*never takes it from the Host or X-Forwarded-\* headers/s);
  });
});
