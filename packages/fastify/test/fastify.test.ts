/**
 * What is Fastify's own: the plugin's encapsulation, its checks at registration, and locals for
 * templates rendered by @fastify/view. In-process (`inject`); no identity provider is reached.
 */
import { join } from "node:path";
import { createMemoryStore } from "@entrance/core";
import fastifyView from "@fastify/view";
import ejs from "ejs";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { entrance, type FastifyEntranceOptions, requireAuth, requireBearer } from "../src/index.js";

/** Options with a store of their own: closing an app closes its store. */
const options = (): FastifyEntranceOptions => ({
  tenantId: "organizations",
  clientId: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
  clientSecret: "a-secret",
  baseUrl: "http://localhost:3000",
  secrets: ["fastify-test-secret-fastify-test-secret"],
  store: createMemoryStore(),
  env: {},
});

describe("@entrance/fastify", () => {
  it("decorates only the context it is registered in, and its children", async () => {
    const app = Fastify();
    app.register(async (inside) => {
      await inside.register(entrance, options());
      inside.get("/inside", async (request, reply) => ({
        loginUrl: request.entrance.loginUrl(),
        locals: reply.locals.logoutUrl,
      }));
    });
    app.get("/outside", async (request) => ({ has: request.entrance != null }));
    expect((await app.inject("/inside?x=1")).json()).toEqual({
      loginUrl: "/auth/login?returnTo=%2Finside%3Fx%3D1",
      locals: "/auth/logout",
    });
    expect((await app.inject("/outside")).json()).toEqual({ has: false });
    await app.close();
  });

  for (const order of ["before", "after"] as const) {
    it(`gives @fastify/view templates the user and the links (view registered ${order} it)`, async () => {
      const app = Fastify();
      const view = { engine: { ejs }, root: join(import.meta.dirname, "views") };
      if (order === "before") await app.register(fastifyView, view);
      await app.register(entrance, options());
      if (order === "after") await app.register(fastifyView, view);
      app.get("/home", (_request, reply) => reply.view("who.ejs"));
      const res = await app.inject("/home?tab=2");
      expect(res.body.trim()).toBe("nobody|/auth/login?returnTo=%2Fhome%3Ftab%3D2|/auth/logout");
      await app.close();
    });
  }

  it("keeps reply.locals one object per reply, and lets a handler add to it or replace it", async () => {
    const app = Fastify();
    await app.register(entrance, options());
    app.addHook("preHandler", async (_request, reply) => {
      Object.assign(reply.locals, { theme: "dark" });
    });
    app.get("/same", async (_request, reply) => {
      const first = reply.locals;
      return { same: reply.locals === first, keys: Object.keys(first).sort() };
    });
    app.get("/replaced", async (_request, reply) => {
      reply.locals = { mine: true } as unknown as typeof reply.locals;
      return reply.locals;
    });
    expect((await app.inject("/same")).json()).toEqual({
      same: true,
      keys: ["loginUrl", "logoutUrl", "popupScriptUrl", "profileUrl", "signUpUrl", "theme", "user"],
    });
    expect((await app.inject("/replaced")).json()).toEqual({ mine: true });
    await app.close();
  });

  it("takes Fastify's register options (prefix) without passing them to Entrance", async () => {
    const app = Fastify();
    await app.register(entrance, { ...options(), prefix: "/ignored" } as FastifyEntranceOptions);
    app.get("/", { preHandler: requireAuth() }, async () => "private");
    const res = await app.inject({ url: "/", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(401);
    await app.close();
  });

  it("stops registration on a bad setting, naming it, and a guard on an unknown group or a bearer guard it cannot keep at start-up", async () => {
    const bad = Fastify();
    await expect(bad.register(entrance, { ...options(), clientId: "not-a-guid" })).rejects.toThrow(
      /clientId|AZURE_CLIENT_ID/,
    );
    const app = Fastify();
    await app.register(entrance, options());
    expect(() => app.entrance.requireGroup("No such group")).toThrow(/No such group/);
    // Multi-tenant, trusting no tenant: whose tokens would it accept?
    expect(() => app.entrance.requireBearer({ scopes: ["Orders.Read"] })).toThrow(/trustedTenants/);
    expect(() => requireBearer({ roles: ["Orders.Sync"], callers: "user" })).toThrow(TypeError);
    await app.close();
  });

  it("answers a hostile Entrance path with a clear error, not a crash", async () => {
    const app = Fastify();
    await app.register(entrance, options());
    const res = await app.inject("/auth/callback?state=%ff%00&code=%");
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toMatch(/\bat .+:\d+:\d+/);
    await app.close();
  });
});
