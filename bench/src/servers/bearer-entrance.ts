/**
 * @entrance/express protecting the API route with `requireBearer({ scopes })`, as its README sets
 * it up: `entrance()` for the app's tenant, then the guard on the route; the answer names the
 * caller from `req.entrance.caller`.
 */
import { createMemoryStore } from "@entrance/core";
import { entrance, requireBearer, trustCertificateAuthority } from "@entrance/express";
import { API_PATH, API_SCOPE, renderOrders } from "./api.js";
import { serve } from "./serve.js";

await serve(async (app, setup, base) => {
  app.use(
    entrance({
      tenantId: setup.tenant,
      clientId: setup.clientId,
      clientSecret: setup.clientSecret,
      authorityHost: setup.authorityHost,
      baseUrl: base,
      secrets: ["entrance-bench-secret-entrance-bench-secret"],
      trust: trustCertificateAuthority(setup.caCertPem),
      // A bearer request reads no session: the store is never touched on this route.
      store: createMemoryStore(),
      env: {},
    }),
  );
  app.get(API_PATH, requireBearer({ scopes: [API_SCOPE] }), (req, res) => {
    res.type("json").send(renderOrders(req.entrance.caller?.objectId ?? ""));
  });
  return {};
});
