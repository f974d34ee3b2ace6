/**
 * @entrance/fastify with the SQLite store (a file in the OS temp folder) and `requireAuth()` as
 * the page's preHandler, as its README sets it up.
 */
import { entrance, requireAuth, trustCertificateAuthority } from "@entrance/fastify";
import { openSqlStore } from "@entrance/store-sql";
import { fastifyApp } from "./fastify.js";
import { PAGE_PATH, renderPage } from "./page.js";
import { serveListener } from "./serve.js";

await serveListener(async (setup, base) => {
  if (!setup.databasePath) throw new Error("the Entrance server needs a database path");
  const { app, listener } = fastifyApp();
  await app.register(entrance, {
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
  app.get(PAGE_PATH, { preHandler: requireAuth() }, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(renderPage(reply.locals.user?.displayName ?? "")),
  );
  await app.ready();
  return { listener: listener(), close: () => app.close() };
});
