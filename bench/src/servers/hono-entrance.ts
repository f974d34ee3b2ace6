/**
 * @entrance/hono with the SQLite store (a file in the OS temp folder) and `requireAuth()` in
 * front of the page, as its README sets it up, on @hono/node-server.
 */
import { type EntranceEnv, entrance, trustCertificateAuthority } from "@entrance/hono";
import { openSqlStore } from "@entrance/store-sql";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { PAGE_PATH, renderPage } from "./page.js";
import { serveListener } from "./serve.js";

await serveListener(async (setup, base) => {
  if (!setup.databasePath) throw new Error("the Entrance server needs a database path");
  const auth = entrance({
    tenantId: setup.tenant,
    clientId: setup.clientId,
    clientSecret: setup.clientSecret,
    authorityHost: setup.authorityHost,
    baseUrl: base,
    secrets: ["entrance-bench-secret-entrance-bench-secret"],
    trust: trustCertificateAuthority(setup.caCertPem),
    store: await openSqlStore(setup.databasePath),
    env: {},
  });
  const app = new Hono<EntranceEnv>().use(auth);
  app.get(PAGE_PATH, auth.requireAuth(), (c) =>
    c.html(renderPage(c.get("entrance").user?.displayName ?? "")),
  );
  return { listener: getRequestListener(app.fetch), close: () => auth.core.close() };
});
