/**
 * @entrance/express with the SQLite store (a file in the OS temp folder), or the store the setup
 * names, and `requireAuth()` in front of the page, as its README sets it up;
 * `session.cacheSeconds` from the setup.
 */
import { entrance, requireAuth, requireGroup, trustCertificateAuthority } from "@entrance/express";
import { openBenchStore } from "./open-store.js";
import { PAGE_PATH, renderPage } from "./page.js";
import { GROUP_CHECK_PATH } from "./protocol.js";
import { serve } from "./serve.js";

await serve(async (app, setup, base) => {
  const store = await openBenchStore(setup.store ?? { kind: "sqlite" }, setup.databasePath);
  app.use(
    entrance({
      tenantId: setup.tenant,
      clientId: setup.clientId,
      clientSecret: setup.clientSecret,
      authorityHost: setup.authorityHost,
      baseUrl: base,
      secrets: ["entrance-bench-secret-entrance-bench-secret"],
      trust: trustCertificateAuthority(setup.caCertPem),
      store,
      ...(setup.cacheSeconds === undefined
        ? {}
        : { session: { cacheSeconds: setup.cacheSeconds } }),
      ...(setup.signInsPerAddress === undefined
        ? {}
        : { pendingSignIns: { perAddress: setup.signInsPerAddress } }),
      ...(setup.groupCheck
        ? {
            authorization: { trustedTenants: [setup.groupCheck.tenant] },
            graphBaseUrl: setup.authorityHost,
          }
        : {}),
      env: {},
    }),
  );
  app.get(PAGE_PATH, requireAuth(), (_req, res) => {
    res.type("html").send(renderPage(res.locals.user?.displayName ?? ""));
  });
  if (setup.groupCheck) {
    app.get(GROUP_CHECK_PATH, requireGroup(setup.groupCheck.group), (_req, res) => {
      res.type("text").send("member");
    });
  }
  return { close: () => store.close() };
});
