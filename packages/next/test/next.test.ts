/**
 * @entrance/next in process, against the emulator: its route handlers, `auth(request)`, the
 * route-handler guards and the proxy, called as Next calls them (a web `Request` in, a `Response`
 * out). The app's origin is never listened on: the emulator only names it in redirects.
 * apps/next/test/e2e.test.ts runs the same pieces under `next start` in Chromium.
 */
import { createAdmin } from "@entrance/admin";
import { createMemoryStore, EntranceError, trustCertificateAuthority } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entrance, type NextEntrance } from "../src/index.js";

const BASE = "http://localhost:3999";
let emulator: RunningEmulator;
let app: NextEntrance;

beforeAll(async () => {
  emulator = await startEmulator();
  const registered = emulator.directory.app(defaults.webApp)?.value;
  if (!registered) throw new Error("the emulator's directory has no web app");
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    redirectUris: [`${BASE}/auth/callback`],
  });
  app = entrance({
    name: "next.test",
    tenantId: "organizations",
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    graphBaseUrl: emulator.urls.https,
    baseUrl: BASE,
    secrets: ["next-adapter-test-secret-0123456789abcdef"],
    trust: trustCertificateAuthority(emulator.caCertPem),
    store: createMemoryStore(),
    authorization: { trustedTenants: [defaults.contoso] },
    env: {},
  });
});

afterAll(async () => {
  await app?.core.close();
  await emulator?.stop();
});

/** Cookies a browser would keep, as a Cookie header. */
class Jar {
  readonly #cookies = new Map<string, string>();
  take(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(line)) this.#cookies.delete(pair.slice(0, eq));
      else this.#cookies.set(pair.slice(0, eq), value);
    }
    return response;
  }
  get header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** A request as Next hands it to a route: on whatever host the client named. */
function request(url: string, jar?: Jar, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  if (jar?.header) headers.set("cookie", jar.header);
  return new Request(new URL(url, "http://127.0.0.1:3999"), { ...init, headers });
}

async function signIn(user: string): Promise<Jar> {
  const jar = new Jar();
  const login = jar.take(
    await app.handlers.GET(request("/auth/login?returnTo=%2Fprofile", jar), {}),
  );
  const authorize = login.headers.get("location") ?? "";
  const { location } = await pickAccount(emulator, authorize, { user });
  const callback = jar.take(await app.handlers.GET(request(location, jar), {}));
  expect(callback.status).toBe(302);
  expect(callback.headers.get("location")).toBe("/profile");
  return jar;
}

describe("@entrance/next", () => {
  it("signs in through its route handlers; auth(request) then has the user, their tokens and Graph", async () => {
    const jar = await signIn("lee@contoso.onmicrosoft.com");
    const context = await app.auth(request("/profile", jar));
    expect(context.user).toMatchObject({ username: "lee@contoso.onmicrosoft.com" });
    expect(context.session?.tenantId).toBe(defaults.contoso);
    expect((await context.getAccessToken("User.Read")).token.split(".")).toHaveLength(3);
    const me = (await context.graph.api("/me").get()) as { displayName: string };
    expect(me.displayName).toBe("Lee Gu");
    // Taken off the context, as Next code does: `const { loginUrl, graph } = await auth()`.
    const { loginUrl, getAccessToken, graph } = context;
    expect(loginUrl()).toBe("/auth/login?returnTo=%2Fprofile");
    expect((await getAccessToken("User.Read")).expiresOn).toBeInstanceOf(Date);
    expect(graph).toBe(context.graph);
  });

  it("answers Entrance's paths on the configured origin, whatever Host the request named", async () => {
    const login = await app.handlers.GET(
      new Request("http://evil.example/auth/login?returnTo=%2F"),
      {},
    );
    const authorize = new URL(login.headers.get("location") ?? "");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${BASE}/auth/callback`);
    const other = await app.handlers.GET(request("/auth/nothing-here"), {});
    expect(other.status).toBe(404);
  });

  it("signs out through POST: the session ends, auth() has no user", async () => {
    const jar = await signIn("megan@contoso.onmicrosoft.com");
    const out = jar.take(
      await app.handlers.POST(
        request("/auth/logout", jar, {
          method: "POST",
          headers: { origin: BASE, "sec-fetch-site": "same-origin" },
        }),
        {},
      ),
    );
    expect(out.status).toBe(303);
    expect((await app.auth(request("/", jar))).user).toBeNull();
  });

  it("the proxy lets a signed-in request through and sends a signed-out one to sign in", async () => {
    const jar = await signIn("alex@contoso.onmicrosoft.com");
    await expect(app.proxy(request("/profile", jar))).resolves.toBeUndefined();
    const refused = await app.proxy(request("/profile?tab=1"));
    expect(refused?.status).toBe(302);
    expect(refused?.headers.get("location")).toBe(
      `${BASE}/auth/login?returnTo=%2Fprofile%3Ftab%3D1`,
    );
    const forged = await app.proxy(
      request("/profile", undefined, { headers: { cookie: "entrance-session=forged" } }),
    );
    expect(forged?.status).toBe(302);
  });

  it("guards a route handler: 401 JSON for an API call, the handler with the user otherwise", async () => {
    const handler = app.requireAuth(async (_request, params: { id: string }, { user }) =>
      Response.json({ id: params.id, user: user?.username }),
    );
    const refused = await handler(
      request("/api/x", undefined, { headers: { accept: "application/json" } }),
      { id: "1" },
    );
    expect(refused.status).toBe(401);
    const jar = await signIn("lee@contoso.onmicrosoft.com");
    const allowed = await handler(request("/api/x", jar), { id: "1" });
    expect(await allowed.json()).toEqual({ id: "1", user: "lee@contoso.onmicrosoft.com" });
  });

  it("answers an Entrance error thrown in a guarded handler as core does: consent and back", async () => {
    const jar = await signIn("lee@contoso.onmicrosoft.com");
    const handler = app.requireAuth(async () => {
      throw new EntranceError("interaction_required", "consent needed", {
        interaction: { scopes: ["Mail.Read"] },
      });
    });
    const answer = await handler(request("/mail", jar, { headers: { accept: "text/html" } }), {});
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/auth/login?returnTo=%2Fmail&scopes=Mail.Read");
  });

  it("handleEntranceErrors gives an unguarded route handler core's answers; other errors stay Next's", async () => {
    const handler = app.handleEntranceErrors(async (incoming: Request) => {
      const { getAccessToken } = await app.auth(incoming);
      return Response.json({ scopes: (await getAccessToken("Calendars.Read")).scopes });
    });
    const jar = await signIn("lee@contoso.onmicrosoft.com");
    const page = await handler(
      request("/calendar?week=2", jar, { headers: { accept: "text/html" } }),
      {},
    );
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe(
      "/auth/login?returnTo=%2Fcalendar%3Fweek%3D2&scopes=Calendars.Read",
    );
    const api = await handler(
      request("/calendar", jar, { headers: { accept: "application/json" } }),
      {},
    );
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: "interaction_required" });

    const failing = app.handleEntranceErrors(async () => {
      throw new TypeError("the app's own bug");
    });
    await expect(failing(request("/x", jar), {})).rejects.toThrow("the app's own bug");
  });

  it("withSignIn redirects a server component to consent, or to sign in again once tokens are revoked", async () => {
    const redirectOf = async (work: () => Promise<unknown>, returnTo?: string) => {
      const thrown = await app.withSignIn(work, returnTo).then(
        () => null,
        (error: unknown) => error as { digest?: string },
      );
      // Next's redirect() throws an error whose digest carries the target; Next follows it.
      const [kind, , url] = String(thrown?.digest ?? "").split(";");
      expect(kind).toBe("NEXT_REDIRECT");
      return url;
    };
    const jar = await signIn("megan@contoso.onmicrosoft.com");
    const context = await app.auth(request("/profile", jar));
    expect(await app.withSignIn(() => context.graph.api("/me").get(), "/profile")).toMatchObject({
      displayName: "Megan Bowen",
    });
    expect(await redirectOf(() => context.getAccessToken("Calendars.Read"), "/calendar")).toBe(
      "/auth/login?returnTo=%2Fcalendar&scopes=Calendars.Read",
    );
    // A returnTo off the app's origin is not followed: back to the home page instead.
    expect(
      await redirectOf(() => context.getAccessToken("Calendars.Read"), "//evil.example/x"),
    ).toBe("/auth/login?returnTo=%2F&scopes=Calendars.Read");

    // An administrator revokes the user's sessions: the next token Entrance must fetch fails.
    emulator.control.revokeRefreshTokens("megan@contoso.onmicrosoft.com");
    expect(await redirectOf(() => context.getAccessToken("Mail.Read"), "/profile")).toBe(
      "/auth/login?returnTo=%2Fprofile",
    );

    const bug = new TypeError("the app's own bug");
    await expect(app.withSignIn(() => Promise.reject(bug))).rejects.toBe(bug);
  });

  it("requireRole refuses a user without the role with a 403, naming what is missing", async () => {
    const handler = app.requireRole(["Entrance.Admin"], async () => new Response("staff"));
    const jar = await signIn("lee@contoso.onmicrosoft.com");
    const refused = await handler(
      request("/staff", jar, { headers: { accept: "application/json" } }),
      {},
    );
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: "forbidden",
      missing: { roles: ["Entrance.Admin"] },
    });
  });

  it("mounts the admin panel's handler: staff get the panel, others a 403, a large body a 413", async () => {
    const admin = createAdmin(app.core, { basePath: "/admin" });
    const panel = app.mount((onBase, info, core) => {
      expect(core).toBe(app.core);
      expect(info).toEqual({ ip: null });
      return admin.handle(onBase, info);
    });
    const other = await signIn("lee@contoso.onmicrosoft.com");
    const staff = await signIn("megan@contoso.onmicrosoft.com");
    const start = await panel(request("/admin", staff), {});
    expect(start.headers.get("location")).toBe("/admin/users");
    const page = await panel(request("/admin/users", staff), {});
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("lee@contoso.onmicrosoft.com");
    expect((await panel(request("/admin/users", other), {})).status).toBe(403);
    const large = await panel(
      request("/admin/users", staff, { method: "POST", body: "x".repeat(17 * 1024) }),
      {},
    );
    expect(large.status).toBe(413);
  });

  it("hands a mounted handler the request on the configured origin, with its body", async () => {
    const echo = app.mount(async (onBase) =>
      Response.json({ url: onBase.url, body: await onBase.text() }),
    );
    const answer = await echo(
      new Request("http://evil.example/tool/x?y=1", { method: "POST", body: "a=1&b=2" }),
      {},
    );
    expect(await answer.json()).toEqual({ url: `${BASE}/tool/x?y=1`, body: "a=1&b=2" });
  });

  it("checks the configuration when the core is first used, not when built (next build imports it)", async () => {
    const unconfigured = entrance({ name: "next.test.unconfigured", env: {} });
    expect(() => unconfigured.core).toThrow(/AZURE_TENANT_ID/);
    await expect(unconfigured.auth(request("/"))).rejects.toMatchObject({ code: "config_invalid" });
  });

  it("requires ENTRANCE_BASE_URL: without a socket, allowed hosts and trusted proxies cannot be checked", async () => {
    const perRequest = entrance({
      name: "next.test.allowed-hosts",
      tenantId: "organizations",
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
      allowedHosts: ["app.example.com"],
      secrets: ["next-adapter-test-secret-0123456789abcdef"],
      store: createMemoryStore(),
      env: {},
    });
    expect(() => perRequest.core).toThrow(/the Next\.js adapter needs ENTRANCE_BASE_URL/);
    await expect(perRequest.handlers.GET(request("/auth/login"), {})).rejects.toMatchObject({
      code: "config_invalid",
    });
  });

  it("one core per process and name: a second entrance() of the same name shares it", () => {
    const again = entrance({ name: "next.test" });
    expect(again.core).toBe(app.core);
  });

  it("gives the proxy's pages core's security headers: no framing, Entra a form target, a fresh nonce for Next", async () => {
    const first = await app.securityHeaders(request("/account"));
    const second = await app.securityHeaders(request("/account"));
    const csp = first.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(first.headers.get("x-frame-options")).toBe("DENY");
    expect(first.headers.get("x-content-type-options")).toBe("nosniff");
    // Sign-out's form is answered by a redirect to Entra: form-action must allow it.
    expect(csp).toMatch(
      new RegExp(`form-action 'self' [^;]*${new URL(emulator.urls.http).origin}`),
    );
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    // The request goes on (Next's proxy protocol), carrying the policy Next reads the nonce from.
    expect(first.headers.get("x-middleware-next")).toBe("1");
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    const custom = await app.securityHeaders(request("/"), { "img-src": ["'self'", "https:"] });
    expect(custom.headers.get("content-security-policy")).toContain("img-src 'self' https:");
  });
});
