/**
 * The handlers a web-standard adapter translates (Next.js's does): real `Request`s in, the
 * `Response`s a browser or API client would get, against the emulator. The adapter here reads
 * each request's origin from its `Host` (checked against `allowedHosts`), as an adapter that
 * sees no fixed `baseUrl` would, and tells the client's address from a header of its own.
 */
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answeringEntranceErrors,
  createEntrance,
  createMemoryStore,
  type Entrance,
  EntranceError,
  type EntranceStore,
  entranceRoutes,
  mountedHandler,
  noncedPageHeaders,
  signedInOrAnswer,
  trustCertificateAuthority,
  type WebAdapter,
  webGuards,
} from "../src/index.js";
import { CookieJar, SECRET } from "./support/emulated.js";

const ORIGIN = "http://app.localhost:4100";
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
  const registered = emulator.directory.app(defaults.webApp)?.value;
  if (!registered) throw new Error("the emulator's directory has no web app");
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    redirectUris: [...registered.redirectUris, `${ORIGIN}/auth/callback`],
  });
});
afterAll(async () => {
  await emulator?.stop();
});

/** A core without `baseUrl` on `store`, and an adapter over it. */
function adapterOn(store: EntranceStore): WebAdapter & { readonly made: Entrance } {
  const core = createEntrance({
    tenantId: "organizations",
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    allowedHosts: [new URL(ORIGIN).host],
    secrets: [SECRET],
    trust: trustCertificateAuthority(emulator.caCertPem),
    authorization: { trustedTenants: [defaults.contoso] },
    env: {},
    store,
  });
  return {
    made: core,
    core: () => core,
    originOf: (made, request) => made.origins.ofWeb(request, undefined),
    clientIp: (request) => request.headers.get("x-test-client"),
  };
}

/** A request to the app as a server hands it on: the `Host` the browser named, on its URL. */
function at(path: string, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  headers.set("host", new URL(ORIGIN).host);
  return new Request(`${ORIGIN}${path}`, { ...init, headers });
}

/** A GET from the browser holding `jar`. */
function get(path: string, jar?: CookieJar, headers: Record<string, string> = {}): Request {
  return at(path, { headers: { ...headers, ...(jar ? { cookie: jar.header } : {}) } });
}

/** Signs `user` in through `entranceRoutes`, from the client address 203.0.113.7. */
async function signIn(adapter: WebAdapter, user: string): Promise<CookieJar> {
  const routes = entranceRoutes(adapter);
  const jar = new CookieJar();
  const login = await routes(get("/auth/login?returnTo=%2Faccount", jar), undefined);
  jar.take(login);
  const { location } = await pickAccount(emulator, login.headers.get("location") ?? "", { user });
  const { pathname, search } = new URL(location);
  const callback = await routes(
    get(`${pathname}${search}`, jar, { "x-test-client": "203.0.113.7" }),
    undefined,
  );
  jar.take(callback);
  expect(callback.headers.get("location")).toBe("/account");
  return jar;
}

describe("entranceRoutes", () => {
  it("signs in on the request's origin, recording the client's address; other paths are 404", async () => {
    const store = createMemoryStore();
    const adapter = adapterOn(store);
    const routes = entranceRoutes(adapter);
    const login = await routes(get("/auth/login"), undefined);
    const authorize = new URL(login.headers.get("location") ?? "");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/auth/callback`);
    await signIn(adapter, "lee@contoso.onmicrosoft.com");
    const { events } = await store.audit.list({ type: "sign_in", limit: 1, offset: 0 });
    expect(events[0]?.ip).toBe("203.0.113.7");
    expect((await routes(get("/auth/nothing-here"), undefined)).status).toBe(404);
    expect((await routes(get("/account"), undefined)).status).toBe(404);
    await adapter.made.close();
  });
});

describe("mountedHandler", () => {
  it("hands the tool the request on its origin with its body, the client's address and the core", async () => {
    const adapter = adapterOn(createMemoryStore());
    const echo = mountedHandler(adapter, async (request, info, core) =>
      Response.json({
        url: request.url,
        body: await request.text(),
        info,
        same: core === adapter.made,
      }),
    );
    const answer = await echo(
      at(`/tool?x=1`, {
        method: "POST",
        body: "a=1&b=2",
        headers: { "x-test-client": "198.51.100.2" },
      }),
      undefined,
    );
    expect(await answer.json()).toEqual({
      url: `${ORIGIN}/tool?x=1`,
      body: "a=1&b=2",
      info: { ip: "198.51.100.2" },
      same: true,
    });
    await adapter.made.close();
  });

  it("refuses a body over 16 KiB with a 413, without calling the tool", async () => {
    const adapter = adapterOn(createMemoryStore());
    let called = false;
    const tool = mountedHandler(adapter, () => {
      called = true;
      return new Response("ok");
    });
    const large = await tool(
      at(`/tool`, { method: "POST", body: "x".repeat(16 * 1024 + 1) }),
      undefined,
    );
    expect(large.status).toBe(413);
    expect(called).toBe(false);
    const fits = await tool(
      at(`/tool`, { method: "POST", body: "x".repeat(16 * 1024) }),
      undefined,
    );
    expect(fits.status).toBe(200);
    await adapter.made.close();
  });
});

describe("webGuards", () => {
  it("sends a signed-out page to sign in, answers an API call 401, and gives the handler the user with no-store", async () => {
    const adapter = adapterOn(createMemoryStore());
    const { requireAuth } = webGuards(adapter);
    const handler = requireAuth()(async (_request, params: { id: string }, { user }) =>
      Response.json({ id: params.id, user: user?.username }),
    );
    const page = await handler(get("/orders/1?tab=2", undefined, { accept: "text/html" }), {
      id: "1",
    });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/auth/login?returnTo=%2Forders%2F1%3Ftab%3D2");
    const api = await handler(get("/orders/1", undefined, { accept: "application/json" }), {
      id: "1",
    });
    expect(api.status).toBe(401);
    const jar = await signIn(adapter, "lee@contoso.onmicrosoft.com");
    const allowed = await handler(get("/orders/1", jar), { id: "1" });
    expect(await allowed.json()).toEqual({ id: "1", user: "lee@contoso.onmicrosoft.com" });
    expect(allowed.headers.get("cache-control")).toBe("no-store");
    await adapter.made.close();
  });

  it("keeps a handler's own Cache-Control, and answers a role it lacks with a 403", async () => {
    const adapter = adapterOn(createMemoryStore());
    const guards = webGuards(adapter);
    const jar = await signIn(adapter, "lee@contoso.onmicrosoft.com");
    const cached = guards.requireAuth()(
      async () => new Response("public", { headers: { "cache-control": "max-age=60" } }),
    );
    expect((await cached(get("/feed", jar), undefined)).headers.get("cache-control")).toBe(
      "max-age=60",
    );
    const staff = guards.requireRole("Entrance.Admin")(async () => new Response("staff"));
    const refused = await staff(get("/staff", jar, { accept: "application/json" }), undefined);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ missing: { roles: ["Entrance.Admin"] } });
    await adapter.made.close();
  });

  it("answers an Entrance error the handler throws with core's answer, and throws any other on", async () => {
    const adapter = adapterOn(createMemoryStore());
    const { requireAuth } = webGuards(adapter);
    const jar = await signIn(adapter, "lee@contoso.onmicrosoft.com");
    const consent = requireAuth()(async () => {
      throw new EntranceError("interaction_required", "consent needed", {
        interaction: { scopes: ["Mail.Read"] },
      });
    });
    const answer = await consent(get("/mail", jar, { accept: "text/html" }), undefined);
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/auth/login?returnTo=%2Fmail&scopes=Mail.Read");
    const bug = new TypeError("the app's own bug");
    const failing = requireAuth()(async () => {
      throw bug;
    });
    await expect(failing(get("/x", jar), undefined)).rejects.toBe(bug);
    await adapter.made.close();
  });

  it("answers core's store error when the store fails, not the framework's error page", async () => {
    const store = createMemoryStore();
    const adapter = adapterOn(store);
    const jar = await signIn(adapter, "lee@contoso.onmicrosoft.com");
    await store.close();
    // A new core on the closed store: the session is not cached in its process.
    const cold = adapterOn(store);
    const handler = webGuards(cold).requireAuth()(async () => new Response("never"));
    const answer = await handler(get("/x", jar, { accept: "application/json" }), undefined);
    expect(answer.status).toBe(500);
    expect(await answer.json()).toMatchObject({ error: "store_failed" });
  });
});

describe("signedInOrAnswer", () => {
  it("lets a signed-in request go on and sends a signed-out one to sign in, at an absolute URL", async () => {
    const adapter = adapterOn(createMemoryStore());
    const proxy = signedInOrAnswer(adapter);
    const refused = await proxy(get("/account?tab=1"));
    expect(refused?.status).toBe(302);
    expect(refused?.headers.get("location")).toBe(
      `${ORIGIN}/auth/login?returnTo=%2Faccount%3Ftab%3D1`,
    );
    const forged = await proxy(at(`/account`, { headers: { cookie: "entrance-session=forged" } }));
    expect(forged?.status).toBe(302);
    const jar = await signIn(adapter, "lee@contoso.onmicrosoft.com");
    await expect(proxy(get("/account", jar))).resolves.toBeUndefined();
    await adapter.made.close();
  });
});

describe("answeringEntranceErrors", () => {
  it("answers an Entrance error with its status, throws others on, and makes no core until then", async () => {
    const adapter = adapterOn(createMemoryStore());
    let made = 0;
    const counting: WebAdapter = {
      ...adapter,
      core: () => {
        made++;
        return adapter.made;
      },
    };
    const fine = answeringEntranceErrors(counting, async () => new Response("ok"));
    expect(await (await fine(get("/x"), undefined)).text()).toBe("ok");
    expect(made).toBe(0);
    const again = answeringEntranceErrors(counting, async () => {
      throw new EntranceError("reauthentication_required", "sign in again");
    });
    const answer = await again(get("/x", undefined, { accept: "application/json" }), undefined);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: "reauthentication_required" });
    expect(made).toBe(1);
    const bug = new TypeError("the app's own bug");
    const failing = answeringEntranceErrors(counting, () => Promise.reject(bug));
    await expect(failing(get("/x"), undefined)).rejects.toBe(bug);
    await adapter.made.close();
  });
});

describe("noncedPageHeaders", () => {
  it("gives the request and the response one CSP with a fresh nonce, and no-store when signed in", async () => {
    const adapter = adapterOn(createMemoryStore());
    const first = await noncedPageHeaders(adapter, get("/"));
    const second = await noncedPageHeaders(adapter, get("/"));
    if (first instanceof Response || second instanceof Response) throw new Error("a store answer");
    const csp = first.response["content-security-policy"] ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.response["content-security-policy"]).not.toContain(nonce);
    expect(first.request.get("content-security-policy")).toBe(csp);
    expect(first.response["cache-control"]).toBeUndefined();

    const jar = await signIn(adapter, "lee@contoso.onmicrosoft.com");
    const signedIn = await noncedPageHeaders(adapter, get("/", jar), {
      "script-src": ["'self'", "https://cdn.example"],
    });
    if (signedIn instanceof Response) throw new Error("a store answer");
    expect(signedIn.response["cache-control"]).toBe("no-store");
    expect(signedIn.response["content-security-policy"]).toMatch(
      /script-src 'self' https:\/\/cdn\.example 'nonce-/,
    );
    expect(signedIn.request.get("cookie")).toBe(jar.header);
    await adapter.made.close();
  });
});
