/** The adapter conformance suite on Hono (on Node, @hono/node-server): its harness, the Hono way. */
import type { AddressInfo } from "node:net";
import {
  type AdapterHarness,
  adapterConformance,
  BEARER,
  GUARDS,
  REQUIRES,
  reverseProxyConformance,
} from "@entrance/adapter-conformance";
import { entranceAdmin } from "@entrance/admin/hono";
import { createAdaptorServer } from "@hono/node-server";
import { Hono, type MiddlewareHandler } from "hono";
import {
  type EntranceEnv,
  type EntranceMiddleware,
  entrance,
  handleEntranceErrors,
  requireBearer,
  securityHeaders,
} from "../src/index.js";

const harness: AdapterHarness = {
  async start(options) {
    let app: Hono<EntranceEnv> | undefined;
    // Listening first tells the port, which Entrance's base URL needs.
    const server = createAdaptorServer({
      fetch: (request, env) =>
        app ? app.fetch(request, env) : new Response(null, { status: 503 }),
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
    const auth: EntranceMiddleware = entrance(options(baseUrl));
    app = new Hono<EntranceEnv>();
    app.use(auth, securityHeaders());
    app.onError(handleEntranceErrors());
    app.get("/", (c) => {
      const { user, loginUrl, logoutUrl, popupScriptUrl } = c.get("entrance").locals;
      return c.json({ user: user?.username ?? null, loginUrl, logoutUrl, popupScriptUrl });
    });
    app.get("/whoami", (c) =>
      c.json({
        signedIn: c.get("entrance").isSignedIn,
        oid: c.get("entrance").user?.objectId ?? null,
      }),
    );
    const guards: Record<(typeof GUARDS)[number], MiddlewareHandler<EntranceEnv>> = {
      auth: auth.requireAuth(),
      scopes: auth.requireScopes(REQUIRES.scopes),
      role: auth.requireRole(REQUIRES.role),
      group: auth.requireGroup(REQUIRES.group),
      permission: auth.requirePermission(REQUIRES.permission),
    };
    for (const guard of GUARDS) {
      app.get(`/page/${guard}`, guards[guard], (c) => c.html(`<p>${guard} page</p>`));
      app.get(`/api/${guard}`, guards[guard], (c) =>
        c.json({ guard, oid: c.get("entrance").user?.objectId }),
      );
    }
    app.get("/api/bearer/user", auth.requireBearer({ scopes: [BEARER.scope] }), (c) =>
      c.json({ caller: c.get("entrance").caller }),
    );
    app.get("/api/bearer/app", requireBearer({ roles: [BEARER.role] }), (c) =>
      c.json({ caller: c.get("entrance").caller }),
    );
    app.get("/api/calendar", async (c) => {
      const { scopes } = await c.get("entrance").getAccessToken(REQUIRES.scopes);
      return c.json({ scopes });
    });
    app.all("/admin/*", entranceAdmin());
    return {
      baseUrl,
      async stop() {
        if ("closeAllConnections" in server) server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await auth.core.close();
      },
    };
  },
};

adapterConformance("Hono", harness);
// The same app without baseUrl, behind a reverse proxy it trusts.
reverseProxyConformance("Hono", harness);
