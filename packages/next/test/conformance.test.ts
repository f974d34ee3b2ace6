/**
 * The adapter conformance suite on @entrance/next, in process: Next's route handlers and proxy
 * are `(Request) => Response` functions, so a node:http server that does what `next start` does
 * with them (the proxy first — its answer, or its headers on the route's — then the route by
 * path) serves the suite's app without `next build`. apps/next's Chromium test covers Next itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { adapterConformance, BEARER, REQUIRES } from "@entrance/adapter-conformance";
import { createAdmin, type EntranceAdmin } from "@entrance/admin";
import { readNodeBody, toWebRequest, writeWebResponse } from "@entrance/core";
import { entrance, type GuardedHandler } from "../src/index.js";

let instance = 0;

adapterConformance("Next.js", {
  async start(options) {
    let serve: ((request: Request) => Promise<Response>) | undefined;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        const body = req.method === "POST" ? ((await readNodeBody(req, 1 << 20)) ?? "") : undefined;
        const request = toWebRequest(req, req.url ?? "/", baseUrl, body);
        const response = serve ? await serve(request) : new Response(null, { status: 503 });
        await writeWebResponse(res, response);
      })().catch((error: unknown) => {
        console.error(error);
        res.statusCode = 500;
        res.end("Internal Server Error");
      });
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
    // One core per name and process: each app of the suite is its own.
    const app = entrance({ ...options(baseUrl), name: `conformance-${instance++}` });
    let admin: EntranceAdmin | undefined;
    const json = (value: unknown) => Response.json(value);
    const routes: Record<string, (request: Request, context: unknown) => Promise<Response>> = {
      "/": async (request) => {
        const { user, loginUrl, logoutUrl, popupScriptUrl } = (await app.auth(request)).locals;
        return json({ user: user?.username ?? null, loginUrl, logoutUrl, popupScriptUrl });
      },
      "/whoami": async (request) => {
        const { isSignedIn, user } = await app.auth(request);
        return json({ signedIn: isSignedIn, oid: user?.objectId ?? null });
      },
      "/api/bearer/user": app.requireBearer((_r, _c, { caller }) => json({ caller }), {
        scopes: [BEARER.scope],
      }),
      "/api/bearer/app": app.requireBearer((_r, _c, { caller }) => json({ caller }), {
        roles: [BEARER.role],
      }),
      // Next has no error hook for route handlers: an unguarded one is wrapped instead.
      "/api/calendar": app.handleEntranceErrors(async (request: Request) => {
        const { getAccessToken } = await app.auth(request);
        return json({ scopes: (await getAccessToken(REQUIRES.scopes)).scopes });
      }),
    };
    type Handler = GuardedHandler<unknown>;
    const guards = {
      auth: (h: Handler) => app.requireAuth(h),
      scopes: (h: Handler) => app.requireScopes([REQUIRES.scopes], h),
      role: (h: Handler) => app.requireRole([REQUIRES.role], h),
      group: (h: Handler) => app.requireGroup([REQUIRES.group], h),
      permission: (h: Handler) => app.requirePermission([REQUIRES.permission], h),
    };
    for (const [name, guard] of Object.entries(guards)) {
      routes[`/page/${name}`] = guard(
        async () =>
          new Response(`<p>${name} page</p>`, { headers: { "content-type": "text/html" } }),
      );
      routes[`/api/${name}`] = guard(async (_r, _c, { user }) =>
        json({ guard: name, oid: user?.objectId }),
      );
    }
    const panel = app.mount((request, info, core) => {
      admin ??= createAdmin(core, { basePath: "/admin" });
      return admin.handle(request, info);
    });
    serve = async (request) => {
      const path = new URL(request.url).pathname;
      if (path.startsWith("/auth/")) {
        return request.method === "POST"
          ? app.handlers.POST(request, {})
          : app.handlers.GET(request, {});
      }
      // The proxy, as `next start` runs it: an answer of its own, or headers for the route's.
      const proxied = await app.securityHeaders(request);
      if (!proxied.headers.has("x-middleware-next")) return proxied;
      const route = path === "/admin" || path.startsWith("/admin/") ? panel : routes[path];
      const response = route
        ? await route(request, {})
        : new Response("Not Found", { status: 404 });
      const headers = new Headers(response.headers);
      for (const [name, value] of proxied.headers) {
        if (!name.startsWith("x-middleware-") && !headers.has(name)) headers.set(name, value);
      }
      return new Response(response.body, { status: response.status, headers });
    };
    return {
      baseUrl,
      async stop() {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await app.core.close();
      },
    };
  },
});
