/**
 * The baseline in a process that also holds an Entrance core, made as `entrance.ts` makes it, with
 * its SQLite store open and its metadata read once, but not mounted: the page is bare's, with the
 * name fixed. Tells the cost of carrying Entrance apart from the cost of its per-request work.
 */
import { entrance, trustCertificateAuthority } from "@entrance/express";
import { openBenchStore } from "./open-store.js";
import { BENCH_USER, PAGE_PATH, renderPage } from "./page.js";
import { serve } from "./serve.js";

await serve(async (app, setup, base) => {
  const store = await openBenchStore(setup.store ?? { kind: "sqlite" }, setup.databasePath);
  const auth = entrance({
    tenantId: setup.tenant,
    clientId: setup.clientId,
    clientSecret: setup.clientSecret,
    authorityHost: setup.authorityHost,
    baseUrl: base,
    secrets: ["entrance-bench-secret-entrance-bench-secret"],
    trust: trustCertificateAuthority(setup.caCertPem),
    store,
    env: {},
  });
  // One request through the core, as the Entrance server's sign-in makes: its metadata is read
  // and its caches made. None of the measured requests goes through it.
  await auth.core.context(new Request(`${base}/`));
  app.get(PAGE_PATH, (_req, res) => {
    res.type("html").send(renderPage(BENCH_USER.name));
  });
  return { close: () => store.close() };
});
