/** The adapter conformance suite on Fastify: the routes of its harness, the Fastify way. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AdapterHarness,
  adapterConformance,
  BEARER,
  GUARDS,
  REQUIRES,
  reverseProxyConformance,
} from "@entrance/adapter-conformance";
import { entranceAdmin } from "@entrance/admin/fastify";
import Fastify, { type preHandlerHookHandler } from "fastify";
import { entrance, handleEntranceErrors, requireBearer, securityHeaders } from "../src/index.js";

const harness: AdapterHarness = {
  async start(options) {
    // Listening first tells the port, which Entrance's base URL needs before registration.
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
    const app = Fastify({
      serverFactory: (handler) => server.on("request", handler),
    });
    await app.register(entrance, options(baseUrl));
    app.addHook("onSend", securityHeaders());
    app.setErrorHandler(handleEntranceErrors());
    app.get("/", async (_request, reply) => {
      const { user, loginUrl, logoutUrl, popupScriptUrl } = reply.locals;
      return { user: user?.username ?? null, loginUrl, logoutUrl, popupScriptUrl };
    });
    app.get("/whoami", async (request) => ({
      signedIn: request.entrance.isSignedIn,
      oid: request.entrance.user?.objectId ?? null,
    }));
    const guards: Record<(typeof GUARDS)[number], preHandlerHookHandler> = {
      auth: app.entrance.requireAuth(),
      scopes: app.entrance.requireScopes(REQUIRES.scopes),
      role: app.entrance.requireRole(REQUIRES.role),
      group: app.entrance.requireGroup(REQUIRES.group),
      permission: app.entrance.requirePermission(REQUIRES.permission),
    };
    for (const guard of GUARDS) {
      app.get(`/page/${guard}`, { preHandler: guards[guard] }, async (_request, reply) =>
        reply.type("text/html").send(`<p>${guard} page</p>`),
      );
      app.get(`/api/${guard}`, { preHandler: guards[guard] }, async (request) => ({
        guard,
        oid: request.entrance.user?.objectId,
      }));
    }
    const user = { preHandler: app.entrance.requireBearer({ scopes: [BEARER.scope] }) };
    app.get("/api/bearer/user", user, async (request) => ({ caller: request.entrance.caller }));
    const daemon = { preHandler: requireBearer({ roles: [BEARER.role] }) };
    app.get("/api/bearer/app", daemon, async (request) => ({ caller: request.entrance.caller }));
    app.get("/api/calendar", async (request) => {
      const { scopes } = await request.entrance.getAccessToken(REQUIRES.scopes);
      return { scopes };
    });
    await app.register(entranceAdmin(), { prefix: "/admin" });
    await app.ready();
    return {
      baseUrl,
      async stop() {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await app.close();
      },
    };
  },
};

adapterConformance("Fastify", harness);
// The same app without baseUrl, behind a reverse proxy it trusts.
reverseProxyConformance("Fastify", harness);
