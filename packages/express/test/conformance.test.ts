/** The adapter conformance suite on Express: the routes of its harness, the Express way. */
import type { AddressInfo } from "node:net";
import {
  type AdapterHarness,
  adapterConformance,
  BEARER,
  GUARDS,
  REQUIRES,
  reverseProxyConformance,
} from "@entrance/adapter-conformance";
import { entranceAdmin } from "@entrance/admin/express";
import express, { type RequestHandler } from "express";
import { entrance, handleEntranceErrors, requireBearer, securityHeaders } from "../src/index.js";

const harness: AdapterHarness = {
  async start(options) {
    const app = express();
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
    const auth = entrance(options(baseUrl));
    app.use(auth, securityHeaders());
    app.get("/", (_req, res) => {
      const { user, loginUrl, logoutUrl, popupScriptUrl } = res.locals;
      res.json({ user: user?.username ?? null, loginUrl, logoutUrl, popupScriptUrl });
    });
    app.get("/whoami", (req, res) => {
      res.json({ signedIn: req.entrance.isSignedIn, oid: req.entrance.user?.objectId ?? null });
    });
    const guards: Record<(typeof GUARDS)[number], RequestHandler> = {
      auth: auth.requireAuth(),
      scopes: auth.requireScopes(REQUIRES.scopes),
      role: auth.requireRole(REQUIRES.role),
      group: auth.requireGroup(REQUIRES.group),
      permission: auth.requirePermission(REQUIRES.permission),
    };
    for (const guard of GUARDS) {
      app.get(`/page/${guard}`, guards[guard], (_req, res) => {
        res.type("html").send(`<p>${guard} page</p>`);
      });
      app.get(`/api/${guard}`, guards[guard], (req, res) => {
        res.json({ guard, oid: req.entrance.user?.objectId });
      });
    }
    app.get("/api/bearer/user", auth.requireBearer({ scopes: [BEARER.scope] }), (req, res) => {
      res.json({ caller: req.entrance.caller });
    });
    app.get("/api/bearer/app", requireBearer({ roles: [BEARER.role] }), (req, res) => {
      res.json({ caller: req.entrance.caller });
    });
    app.get("/api/calendar", async (req, res) => {
      const { scopes } = await req.entrance.getAccessToken(REQUIRES.scopes);
      res.json({ scopes });
    });
    app.use("/admin", entranceAdmin());
    app.use(handleEntranceErrors());
    return {
      baseUrl,
      async stop() {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await auth.core.close();
      },
    };
  },
};

adapterConformance("Express", harness);
// The same app without baseUrl, behind a reverse proxy it trusts.
reverseProxyConformance("Express", harness);
