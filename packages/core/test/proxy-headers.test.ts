import { createServer, request as httpRequest, type Server } from "node:http";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
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
        toWebRequest(req, req.url ?? "/", entrance.origins.ofNode(req)),
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
    const login = await entrance.handle(publicRequest(hostile, APP_BASE));
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

  it("says, when neither ENTRANCE_BASE_URL nor ENTRANCE_ALLOWED_HOSTS is set, both ways to set the origin", () => {
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
    ).toThrow(/set ENTRANCE_BASE_URL to the app's public origin.*or ENTRANCE_ALLOWED_HOSTS/s);
  });
});

/** The app's public host, as a TLS-ending proxy in front of it forwards it. */
const PUBLIC = "app.example.com";
/** Another host of the same app (allowed too). */
const OTHER = "www.example.com";
/** The proxy connects from this loopback address; every other client from 127.0.0.1. */
const PROXY_ADDRESS = "127.0.0.2";

describe("reverse proxies without ENTRANCE_BASE_URL: trustProxy and allowedHosts", () => {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  let perRequest: Entrance;
  let server2: Server;
  let port: number;
  beforeAll(async () => {
    const registered = emulator.directory.app(defaults.webApp)?.value;
    emulator.control.putApp(defaults.contoso, {
      ...registered,
      clientId: defaults.webApp,
      displayName: "Behind a proxy",
      redirectUris: [
        `${APP_BASE}/auth/callback`,
        `https://${PUBLIC}/auth/callback`,
        `https://${OTHER}/auth/callback`,
      ],
    });
    perRequest = entranceFor(emulator, createMemoryStore(), {
      baseUrl: undefined,
      allowedHosts: [PUBLIC, OTHER],
      trustProxy: [PROXY_ADDRESS],
      logger: {
        warn: (fields, message) => warnings.push({ fields, message }),
        error: () => {},
      },
    });
    server2 = createServer((req, res) => {
      void (async () => {
        const request = toWebRequest(req, req.url ?? "/", perRequest.origins.ofNode(req));
        const answer = await perRequest.handle(request, { ip: "127.0.0.1" });
        await writeWebResponse(res, answer ?? new Response("not ours", { status: 404 }));
      })();
    });
    await new Promise<void>((resolve) => server2.listen(0, "127.0.0.1", resolve));
    port = (server2.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server2?.close(resolve));
    await perRequest?.close();
  });

  /** GET on the app from `from` (the proxy's address or any other) with these headers. */
  function get(
    path: string,
    headers: Record<string, string>,
    from = PROXY_ADDRESS,
  ): Promise<{ status: number; location: string; cookies: string[]; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `http://127.0.0.1:${port}${path}`,
        { headers, setHost: false, localAddress: from },
        (res) => {
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
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  const forwarded = (host: string) => ({
    host: `127.0.0.1:${port}`,
    "x-forwarded-proto": "https",
    "x-forwarded-host": host,
  });

  it("takes the https origin a trusted proxy forwards for the redirect URI and Secure cookies", async () => {
    const login = await get("/auth/login?returnTo=%2Forders", forwarded(PUBLIC));
    expect(login.status).toBe(302);
    const authorize = new URL(login.location);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`https://${PUBLIC}/auth/callback`);
    expect(login.cookies.join("\n")).toMatch(/^__Host-entrance-binding=.*; Secure/);
  });

  it("believes RFC 7239 Forwarded from a trusted proxy, its last element (the nearest proxy's)", async () => {
    const login = await get("/auth/login", {
      host: `127.0.0.1:${port}`,
      forwarded: `host=evil.example;proto=http, host=${OTHER};proto=https`,
    });
    expect(new URL(login.location).searchParams.get("redirect_uri")).toBe(
      `https://${OTHER}/auth/callback`,
    );
  });

  it("ignores X-Forwarded-* from a client that is not a trusted proxy", async () => {
    // Sent straight to the app over plain http, with an allowed Host: the forwarded https claim
    // is not believed, so the request is plain http on a public host, which is refused.
    const direct = await get("/auth/login", { host: PUBLIC, ...forwardedOnly(OTHER) }, "127.0.0.1");
    expect(direct.status).toBe(400);
    expect(direct.location).toBe("");
    expect(direct.cookies).toEqual([]);
  });

  it("answers a host that is not allowed with 400 host_not_allowed: no redirect, no cookie", async () => {
    for (const headers of [
      forwarded("evil.example"),
      forwarded(`${PUBLIC}.evil.example`),
      forwarded(`${PUBLIC}:8443`),
      { host: `127.0.0.1:${port}`, "x-forwarded-proto": "http", "x-forwarded-host": PUBLIC },
      { host: "evil.example" },
      { ...forwarded(PUBLIC), "x-forwarded-host": "bad host/path" },
    ]) {
      const answer = await get("/auth/login?returnTo=%2F", {
        ...headers,
        accept: "application/json",
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: "host_not_allowed" });
      expect(answer.location).toBe("");
      expect(answer.cookies).toEqual([]);
    }
    const page = await get("/auth/login", forwarded("evil.example"));
    expect(page.status).toBe(400);
    expect(page.body).toContain("does not answer on this address");
    expect(page.body).not.toContain("evil.example");
  });

  it("logs each refused host once, with the headers that named it, and falls silent past a bound", async () => {
    warnings.length = 0;
    const refusedLogin = () => get("/auth/login", forwarded("unlisted.example"));
    expect((await refusedLogin()).status).toBe(400);
    expect((await refusedLogin()).status).toBe(400);
    const logged = warnings.filter((w) => w.fields.event === "host_not_allowed");
    expect(logged).toHaveLength(1);
    expect(logged[0]?.fields).toMatchObject({ "x-forwarded-host": "unlisted.example" });
    expect(logged[0]?.message).toMatch(/ENTRANCE_ALLOWED_HOSTS/);

    // Anyone can send any name: a flood of them logs a bounded number of lines, each name cut short.
    const long = `${"a".repeat(1000)}.example`;
    for (let i = 0; i < 50; i++) {
      expect((await get("/auth/login", forwarded(`${i}${long}`))).status).toBe(400);
    }
    const flood = warnings.filter((w) => w.fields.event === "host_not_allowed");
    expect(flood.length).toBeLessThanOrEqual(34);
    expect(flood.at(-1)?.message).toMatch(/no further host is logged/);
    for (const line of flood) {
      expect(String(line.fields["x-forwarded-host"] ?? "").length).toBeLessThanOrEqual(260);
    }
  });

  it("signs in on the forwarded origin, and refuses a callback on another origin than the login", async () => {
    const signIn = async (callbackHost: string) => {
      const login = await get("/auth/login?returnTo=%2Forders", forwarded(PUBLIC));
      const binding = login.cookies.map((c) => c.split(";")[0]).join("; ");
      const { location } = await pickAccount(emulator, login.location, {
        user: "lee@contoso.onmicrosoft.com",
      });
      const back = new URL(location);
      expect(back.origin).toBe(`https://${PUBLIC}`);
      return get(`${back.pathname}${back.search}`, {
        ...forwarded(callbackHost),
        cookie: binding,
        accept: "application/json",
      });
    };
    const elsewhere = await signIn(OTHER);
    expect(elsewhere.status).toBe(400);
    expect(JSON.parse(elsewhere.body)).toMatchObject({ error: "host_not_allowed" });
    expect(elsewhere.cookies.join("\n")).not.toContain("entrance-session");

    const done = await signIn(PUBLIC);
    expect(done.status).toBe(302);
    expect(done.location).toBe("/orders");
    expect(done.cookies.join("\n")).toMatch(/__Host-entrance-session=[^;]+;.*Secure/);
  });

  it("explains AADSTS50011 with the redirect URI of the origin the sign-in was on", async () => {
    const login = await get("/auth/login", forwarded(OTHER));
    const state = new URL(login.location).searchParams.get("state") ?? "";
    const binding = login.cookies.map((c) => c.split(";")[0]).join("; ");
    const query = new URLSearchParams({
      state,
      error: "invalid_request",
      error_description: "AADSTS50011: The redirect URI specified in the request does not match.",
    });
    const page = await get(`/auth/callback?${query}`, { ...forwarded(OTHER), cookie: binding });
    expect(page.status).toBe(400);
    expect(page.body).toContain(`https://${OTHER}/auth/callback`);
    expect(page.body).not.toContain(`https://${PUBLIC}/auth/callback`);
  });

  it("posts sign-out only from the request's own origin, and returns there after Entra", async () => {
    const post = (origin: string) =>
      perRequest.handle(
        new Request(`https://${PUBLIC}/auth/logout`, {
          method: "POST",
          headers: { origin, "sec-fetch-site": "same-origin" },
        }),
      );
    expect((await post(`https://${OTHER}`))?.status).toBe(403);
    const out = await post(`https://${PUBLIC}`);
    expect(out?.status).toBe(303);
    const end = new URL(out?.headers.get("location") ?? "");
    expect(end.searchParams.get("post_logout_redirect_uri")).toBe(`https://${PUBLIC}/`);
  });

  it("refuses a Request handed to core on a host that is not allowed", async () => {
    const answer = await perRequest.handle(new Request("https://evil.example/auth/login"));
    expect(answer?.status).toBe(400);
    expect(answer?.headers.get("location")).toBeNull();
    // And a plain-http one on an allowed public host.
    expect((await perRequest.handle(new Request(`http://${PUBLIC}/auth/login`)))?.status).toBe(400);
  });
});

function forwardedOnly(host: string): Record<string, string> {
  return { "x-forwarded-proto": "https", "x-forwarded-host": host };
}

describe("configuration of the origin without ENTRANCE_BASE_URL", () => {
  const BASE_ENV = {
    AZURE_TENANT_ID: "contoso.onmicrosoft.com",
    AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
    AZURE_CLIENT_SECRET: "secret-value",
    ENTRANCE_SECRET: "a".repeat(44),
  };
  const load = (env: Record<string, string>) => () => loadConfig({}, { ...BASE_ENV, ...env });

  it("reads ENTRANCE_ALLOWED_HOSTS and ENTRANCE_TRUST_PROXY as comma-separated lists", () => {
    const config = load({
      ENTRANCE_ALLOWED_HOSTS: "App.Example.com, localhost:3000",
      ENTRANCE_TRUST_PROXY: "loopback, 10.0.0.0/8, fd00::1",
    })();
    expect(config.baseUrl).toBeUndefined();
    expect(config.allowedHosts).toEqual(["app.example.com", "localhost:3000"]);
    expect(config.trustProxy).toEqual(["loopback", "10.0.0.0/8", "fd00::1"]);
  });

  it("refuses proxy settings beside ENTRANCE_BASE_URL, which would do nothing", () => {
    expect(
      load({ ENTRANCE_BASE_URL: "https://app.example.com", ENTRANCE_TRUST_PROXY: "loopback" }),
    ).toThrow(/trustProxy \(ENTRANCE_TRUST_PROXY\): has no effect with ENTRANCE_BASE_URL set/);
    expect(
      load({ ENTRANCE_BASE_URL: "https://app.example.com", ENTRANCE_ALLOWED_HOSTS: "a.example" }),
    ).toThrow(/allowedHosts \(ENTRANCE_ALLOWED_HOSTS\): has no effect/);
  });

  it("names each unusable entry and the form it should take", () => {
    expect(load({ ENTRANCE_ALLOWED_HOSTS: "https://app.example.com" })).toThrow(
      /allowedHosts.* \(ENTRANCE_ALLOWED_HOSTS\): "https:\/\/app.example.com" is not a host name or host:port/,
    );
    expect(load({ ENTRANCE_ALLOWED_HOSTS: "*.example.com" })).toThrow(
      /no scheme, path or wildcard/,
    );
    expect(load({ ENTRANCE_ALLOWED_HOSTS: "app.example.com:443" })).toThrow(/without :443/);
    expect(
      load({ ENTRANCE_ALLOWED_HOSTS: "app.example.com", ENTRANCE_TRUST_PROXY: "proxy.internal" }),
    ).toThrow(/"proxy.internal" is not an IP address, a CIDR range/);
    expect(
      load({ ENTRANCE_ALLOWED_HOSTS: "app.example.com", ENTRANCE_TRUST_PROXY: "10.0.0.0/33" }),
    ).toThrow(/prefix length that is not 0–32/);
  });
});
