import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createEntrance, createMemoryStore, EntranceError } from "@entrance/core";
import { defaults } from "@entrance/emulator";
import { clientCredentialsToken, signInWithoutBrowser } from "@entrance/emulator/testing";
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handleEntranceErrors, requireBearer } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

const API = `api://${defaults.webApp}`;
const ORDERS_READ = `${API}/Orders.Read`;
const MEGAN = "megan@contoso.onmicrosoft.com";
const ADELE = "adele@contoso.onmicrosoft.com";
const ALEX = "alex@contoso.onmicrosoft.com";

/**
 * What a downstream server on 127.0.0.1 received: path and query, and whether it had a token. The
 * Authorization headers are kept apart (`authorizations`), so that a failing assertion never
 * prints a token (`npm test` scans its output for them).
 */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly authorized: boolean;
  readonly body: string;
}

/** A real HTTP server standing for a downstream API: records each request, answers by `answer`. */
class Recorder {
  readonly received: Received[] = [];
  readonly authorizations: (string | undefined)[] = [];
  /** The next answers, one per request; then 200 JSON. */
  readonly answers: ((res: ServerResponse) => void)[] = [];
  readonly #server: Server;

  constructor() {
    this.#server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      this.received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorized: Boolean(req.headers.authorization),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      this.authorizations.push(req.headers.authorization);
      const answer = this.answers.shift();
      if (answer) return answer(res);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, url: req.url }));
    });
  }

  async start(): Promise<string> {
    this.#server.listen(0, "127.0.0.1");
    await new Promise((resolve) => this.#server.once("listening", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** The claims of a JWT's payload (the test reads what the downstream API would verify). */
function claimsOf(authorization: string | undefined): Record<string, unknown> {
  const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1] ?? "";
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

const CHALLENGE = `Bearer realm="", error="insufficient_claims", claims="${Buffer.from(
  '{"access_token":{"nbf":{"essential":true,"value":"1604106651"}}}',
).toString("base64")}"`;

function challenge(res: ServerResponse): void {
  res.writeHead(401, { "www-authenticate": CHALLENGE });
  res.end();
}

let api: Recorder;
let evil: Recorder;
let apiBase: string;
let evilBase: string;
let closedBase: string;
let t: TestApp;

/** Runs `work` and sends its answer: the downstream status and body, or the error to Entrance. */
function route(work: (req: ExpressRequest) => Promise<Response>) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      const answer = await work(req);
      res.json({
        status: answer.status,
        location: answer.headers.get("location"),
        body: answer.status === 200 ? await answer.json() : null,
      });
    } catch (error) {
      next(error);
    }
  };
}

beforeAll(async () => {
  api = new Recorder();
  evil = new Recorder();
  apiBase = await api.start();
  evilBase = await evil.start();
  const closed = new Recorder();
  closedBase = await closed.start();
  await closed.stop();
  t = await startTestApp(
    (app) => {
      app.get(
        "/orders",
        route((req) => req.entrance.downstream("orders").fetch(String(req.query.path ?? "orders"))),
      );
      app.get(
        "/api/orders",
        requireBearer({ scopes: ["Orders.Read"] }),
        route((req) => req.entrance.downstream("orders").fetch("orders")),
      );
      app.post(
        "/orders",
        route((req) =>
          req.entrance.downstream("orders").fetch("orders", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ item: "USB-C dock" }),
          }),
        ),
      );
      app.get(
        "/api/daemon",
        requireBearer({ roles: [defaults.daemonRole] }),
        route((req) => req.entrance.downstream("orders").fetch("orders")),
      );
      app.post(
        "/orders/stream",
        route((req) =>
          req.entrance.downstream("orders").fetch("orders", {
            method: "POST",
            body: new Blob(["streamed"]).stream(),
            duplex: "half",
          } as RequestInit),
        ),
      );
      app.get(
        "/billing",
        route((req) => req.entrance.downstream("billing").fetch("invoices")),
      );
      app.get(
        "/down",
        route((req) => req.entrance.downstream("down").fetch("x")),
      );
      app.use(handleEntranceErrors());
    },
    {
      downstreamApis: {
        orders: { baseUrl: `${apiBase}/v1`, scopes: [ORDERS_READ] },
        billing: {
          baseUrl: `${apiBase}/billing/`,
          scopes: `${API}/.default`,
          as: "app",
          tenantId: defaults.contoso,
        },
        down: { baseUrl: closedBase, scopes: ["User.Read"] },
      },
    },
  );
  for (const user of [MEGAN, ADELE])
    t.emulator.control.grantConsent(user, defaults.webApp, [ORDERS_READ]);
});

afterAll(async () => {
  await t?.close();
  await api?.stop();
  await evil?.stop();
});

beforeEach(() => {
  api.received.length = 0;
  api.authorizations.length = 0;
  api.answers.length = 0;
  evil.received.length = 0;
});

function get(path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${t.base}${path}`, { headers: { accept: "application/json", ...headers } });
}

describe("a configured downstream API", () => {
  it("carries the signed-in user's token for its scopes to its base URL", async () => {
    const cookie = await t.signIn(MEGAN);
    const answer = await get(`/orders?path=${encodeURIComponent("/orders?top=2")}`, { cookie });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: 200, body: { url: "/v1/orders?top=2" } });
    expect(api.received).toEqual([
      { method: "GET", url: "/v1/orders?top=2", authorized: true, body: "" },
    ]);
    const claims = claimsOf(api.authorizations[0]);
    expect(claims).toMatchObject({ oid: defaults.users.admin, tid: defaults.contoso });
    expect(String(claims.scp).split(" ")).toContain("Orders.Read");
  });

  it.each([
    ["another origin", () => `${evilBase}/v1/orders`],
    ["the same host by another name", () => `${apiBase.replace("127.0.0.1", "localhost")}/v1/x`],
    ["a protocol-relative URL", () => `//${new URL(evilBase).host}/v1/orders`],
    ["a path outside the base", () => `${apiBase}/v2/orders`],
    ["a path that only starts like the base", () => `${apiBase}/v1x`],
    ["a '..' segment", () => "../admin"],
    ["a '..' segment further down", () => "orders/../../admin"],
    ["an encoded '..' segment", () => "%2e%2E/admin"],
    ["an encoded slash", () => "..%2Fadmin"],
    ["a backslash", () => "\\\\evil.example/x"],
    ["credentials", () => `${apiBase.replace("://", "://user:pass@")}/v1/orders`],
    ["a newline", () => "orders\n/x"],
    ["another scheme", () => "file:///etc/passwd"],
  ])("refuses %s before sending anything, token or not", async (_what, target) => {
    const cookie = await t.signIn(MEGAN);
    const answer = await get(`/orders?path=${encodeURIComponent(target())}`, { cookie });
    expect(answer.status).toBe(500);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ error: "downstream_url_not_allowed" });
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(api.received).toHaveLength(0);
    expect(evil.received).toHaveLength(0);
  });

  it("never follows a redirect with the token: the 3xx comes back as it is", async () => {
    api.answers.push((res) => {
      res.writeHead(302, { location: `${evilBase}/steal` });
      res.end();
    });
    const cookie = await t.signIn(MEGAN);
    const answer = await get("/orders", { cookie });
    expect(await answer.json()).toMatchObject({ status: 302, location: `${evilBase}/steal` });
    expect(api.received).toHaveLength(1);
    expect(evil.received).toHaveLength(0);
  });

  it("asks for consent the user has not given, as getAccessToken does", async () => {
    const cookie = await t.signIn(ALEX);
    const page = await fetch(`${t.base}/orders`, {
      headers: { cookie, accept: "text/html" },
      redirect: "manual",
    });
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get("location") ?? "", t.base);
    expect(location.pathname).toBe("/auth/login");
    expect(location.searchParams.get("scopes")).toBe(ORDERS_READ);
    expect(api.received).toHaveLength(0);
  });

  it("acts for the caller of a requireBearer route, on-behalf-of", async () => {
    const incoming = (
      await signInWithoutBrowser(t.emulator, {
        user: ADELE,
        scopes: [ORDERS_READ],
        redirectUri: `${t.base}/auth/callback`,
      })
    ).accessToken;
    const answer = await get("/api/orders", { authorization: `Bearer ${incoming}` });
    expect(answer.status).toBe(200);
    expect(api.received).toHaveLength(1);
    const sent = api.authorizations[0];
    expect(sent === `Bearer ${incoming}`).toBe(false);
    expect(claimsOf(sent)).toMatchObject({ oid: defaults.users.overage, azp: defaults.webApp });
  });

  it("passes a claims challenge that stays to the bearer caller, as a step-up 401", async () => {
    const incoming = (
      await signInWithoutBrowser(t.emulator, {
        user: MEGAN,
        scopes: [ORDERS_READ],
        redirectUri: `${t.base}/auth/callback`,
      })
    ).accessToken;
    api.answers.push(challenge, challenge);
    const answer = await get("/api/orders", { authorization: `Bearer ${incoming}` });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(/error="insufficient_claims"/);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ error: "downstream_interaction_required" });
    expect(text.includes(incoming)).toBe(false);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("refuses to act for an app-only caller as a user: on_behalf_of_needs_user", async () => {
    const daemon = (await clientCredentialsToken(t.emulator)).accessToken;
    const answer = await get("/api/daemon", { authorization: `Bearer ${daemon}` });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ error: "on_behalf_of_needs_user" });
    expect(api.received).toHaveLength(0);
  });

  it("carries the app's own token for an as: 'app' API, in a request and without one", async () => {
    const cookie = await t.signIn(MEGAN);
    expect((await get("/billing", { cookie })).status).toBe(200);
    const background = await t.core.downstream("billing").fetch("invoices?month=11");
    expect(await background.json()).toMatchObject({ url: "/billing/invoices?month=11" });
    expect(api.received).toHaveLength(2);
    for (const authorization of api.authorizations) {
      expect(claimsOf(authorization)).toMatchObject({ idtyp: "app" });
      expect(claimsOf(authorization)).not.toHaveProperty("scp");
    }
  });

  it("keeps the app-level form to as: 'app' APIs, and names unknown APIs", () => {
    expect(() => t.core.downstream("orders")).toThrow(
      expect.objectContaining({
        code: "config_invalid",
        message: expect.stringMatching(/as: "app"/),
      }),
    );
    expect(() => t.core.downstream("constructor")).toThrow(
      expect.objectContaining({ code: "config_invalid" }),
    );
  });

  it("answers a claims challenge with a token carrying the claims, once", async () => {
    const cookie = await t.signIn(MEGAN);
    api.answers.push(challenge);
    const answer = await get("/orders", { cookie });
    expect(await answer.json()).toMatchObject({ status: 200 });
    expect(api.received).toHaveLength(2);
    expect(api.authorizations[1] === api.authorizations[0]).toBe(false);
  });

  it("sends a request's body again with the new token", async () => {
    const cookie = await t.signIn(MEGAN);
    api.answers.push(challenge);
    const answer = await fetch(`${t.base}/orders`, {
      method: "POST",
      headers: { cookie, accept: "application/json", origin: t.base },
    });
    expect(await answer.json()).toMatchObject({ status: 200 });
    const sent = {
      method: "POST",
      url: "/v1/orders",
      authorized: true,
      body: '{"item":"USB-C dock"}',
    };
    expect(api.received).toEqual([sent, sent]);
  });

  it("does not send a stream twice: a claims challenge to it goes to the user", async () => {
    const cookie = await t.signIn(MEGAN);
    api.answers.push(challenge);
    const answer = await fetch(`${t.base}/orders/stream`, {
      method: "POST",
      headers: { cookie, accept: "application/json", origin: t.base },
    });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: "interaction_required" });
    expect(api.received).toEqual([
      { method: "POST", url: "/v1/orders", authorized: true, body: "streamed" },
    ]);
  });

  it("sends the user to Entra when the API keeps asking for claims; never the token", async () => {
    const cookie = await t.signIn(MEGAN);
    api.answers.push(challenge, challenge);
    const answer = await get("/orders", { cookie });
    expect(answer.status).toBe(401);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ error: "interaction_required" });
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(api.received).toHaveLength(2);
  });

  it("gives a refused token one fresh token, then the API's own answer", async () => {
    const cookie = await t.signIn(MEGAN);
    const refuse = (res: ServerResponse) => {
      res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' });
      res.end();
    };
    api.answers.push(refuse, refuse);
    const answer = await get("/orders", { cookie });
    expect(await answer.json()).toMatchObject({ status: 401 });
    expect(api.received).toHaveLength(2);
    expect(api.authorizations[1] === api.authorizations[0]).toBe(false);
  });

  it("says when the API cannot be reached: downstream_unavailable, no token in the answer", async () => {
    const cookie = await t.signIn(MEGAN);
    const answer = await get("/down", { cookie });
    expect(answer.status).toBe(502);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ error: "downstream_unavailable" });
    expect(text).toContain("ECONNREFUSED");
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  it("needs someone to act for: no session and no bearer caller", async () => {
    const answer = await get("/orders", {});
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ error: "reauthentication_required" });
    expect(api.received).toHaveLength(0);
  });
});

describe("the downstreamApis setting", () => {
  const base = {
    tenantId: defaults.contoso,
    clientId: defaults.webApp,
    clientSecret: "a-secret",
    baseUrl: "http://localhost:3000",
    secrets: ["downstream-test-secret-0123456789abcdef"],
    store: createMemoryStore(),
    env: {},
  };
  const problem = (downstreamApis: unknown, extra: object = {}): string => {
    try {
      createEntrance({ ...base, ...extra, downstreamApis } as never);
    } catch (error) {
      expect(error).toBeInstanceOf(EntranceError);
      expect((error as EntranceError).code).toBe("config_invalid");
      return (error as EntranceError).message;
    }
    throw new Error("the configuration was accepted");
  };

  it.each([
    [
      "plain http off loopback",
      { a: { baseUrl: "http://api.contoso.com/", scopes: ["x/y"] } },
      /downstreamApis\.a\.baseUrl: must be an https URL/,
    ],
    ["a query", { a: { baseUrl: "https://api.contoso.com/?k=1", scopes: ["x/y"] } }, /a\.baseUrl/],
    [
      "an empty query",
      { a: { baseUrl: "https://api.contoso.com/?", scopes: ["x/y"] } },
      /a\.baseUrl/,
    ],
    ["a fragment", { a: { baseUrl: "https://api.contoso.com/#f", scopes: ["x/y"] } }, /a\.baseUrl/],
    [
      "credentials",
      { a: { baseUrl: "https://me:hunter2@api.contoso.com/", scopes: ["x/y"] } },
      /a\.baseUrl/,
    ],
    [
      "an encoded slash",
      { a: { baseUrl: "https://api.contoso.com/a%2fb/", scopes: ["x/y"] } },
      /a\.baseUrl/,
    ],
    [
      "no scopes",
      { a: { baseUrl: "https://api.contoso.com/", scopes: [] } },
      /a\.scopes: scopes must list/,
    ],
    ["blank scopes", { a: { baseUrl: "https://api.contoso.com/", scopes: " " } }, /a\.scopes/],
    [
      "a bad name",
      { "my api": { baseUrl: "https://api.contoso.com/", scopes: ["x/y"] } },
      /downstreamApis\.my api: an API's name starts with a letter/,
    ],
    [
      "an app token for a delegated scope",
      { a: { baseUrl: "https://api.contoso.com/", scopes: ["x/Read"], as: "app" } },
      /\.default/,
    ],
    [
      "a tenant for a user's token",
      { a: { baseUrl: "https://api.contoso.com/", scopes: ["x/y"], tenantId: defaults.contoso } },
      /tenantId is for as: "app" only/,
    ],
    [
      "an unknown key",
      { a: { baseUrl: "https://api.contoso.com/", scopes: ["x/y"], follow: true } },
      /a/,
    ],
    [
      "an unknown 'as'",
      { a: { baseUrl: "https://api.contoso.com/", scopes: ["x/y"], as: "anyone" } },
      /as must be "user" or "app"/,
    ],
  ])("refuses %s at start-up, naming the fix", (_what, apis, message) => {
    const text = problem(apis);
    expect(text).toMatch(message);
    expect(text).not.toContain("hunter2");
  });

  it("needs the tenant of an app token when the app is multi-tenant", () => {
    const text = problem(
      {
        jobs: { baseUrl: "https://jobs.contoso.com/", scopes: ["api://jobs/.default"], as: "app" },
      },
      { tenantId: "organizations" },
    );
    expect(text).toMatch(/downstreamApis\.jobs\.tenantId: an app acts as itself in one tenant/);
  });

  it("accepts https anywhere and http on loopback, and freezes what it kept", () => {
    const core = createEntrance({
      ...base,
      downstreamApis: {
        orders: { baseUrl: "https://api.contoso.com/v1", scopes: "api://orders/Orders.Read" },
        local: { baseUrl: "http://127.0.0.1:8080", scopes: ["api://local/.default"], as: "app" },
      },
    });
    expect(core.config.downstreamApis.orders).toEqual({
      baseUrl: "https://api.contoso.com/v1/",
      scopes: ["api://orders/Orders.Read"],
      as: "user",
    });
    expect(Object.isFrozen(core.config.downstreamApis.orders)).toBe(true);
  });
});
