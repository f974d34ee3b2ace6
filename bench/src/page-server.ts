/**
 * One server under test, run in its own process so that it does not share an event loop with
 * the load generator: `node page-server.js entrance|bare`, driven over IPC (see protocol.ts).
 */
import type { AddressInfo } from "node:net";
import { entrance, requireAuth, trustCertificateAuthority } from "@entrance/express";
import { openSqlStore } from "@entrance/store-sql";
import express from "express";
import { BASELINE_NAME, renderPage } from "./page.js";
import type { EntranceSetup, FromServer, ServerKind, ToServer } from "./protocol.js";

const kind = process.argv[2] as ServerKind;
if (kind !== "entrance" && kind !== "bare") throw new Error(`unknown server kind "${kind}"`);
if (!process.send) throw new Error("page-server.js is forked by the harness, with an IPC channel");

const app = express();
const server = app.listen(0, "127.0.0.1");
await new Promise<void>((resolve, reject) => {
  server.once("listening", resolve);
  server.once("error", reject);
});
const port = (server.address() as AddressInfo).port;
let store: Awaited<ReturnType<typeof openSqlStore>> | undefined;
let closing: Promise<void> | undefined;

function send(message: FromServer): void {
  process.send?.(message);
}

async function configure(setup: EntranceSetup | undefined): Promise<void> {
  if (kind === "bare") {
    app.get("/page", (_req, res) => {
      res.type("html").send(renderPage(BASELINE_NAME));
    });
    return;
  }
  if (!setup) throw new Error("the Entrance server needs its setup");
  store = await openSqlStore(setup.databasePath);
  app.use(
    entrance({
      tenantId: "organizations",
      clientId: setup.clientId,
      clientSecret: setup.clientSecret,
      authorityHost: setup.authorityHost,
      baseUrl: `http://127.0.0.1:${port}`,
      secrets: ["entrance-bench-secret-entrance-bench-secret"],
      trust: trustCertificateAuthority(setup.caCertPem),
      store,
      env: {},
    }),
  );
  app.get("/page", requireAuth(), (_req, res) => {
    res.type("html").send(renderPage(res.locals.user?.displayName ?? ""));
  });
}

function close(): Promise<void> {
  closing ??= (async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await store?.close();
    if (process.connected) process.disconnect();
  })();
  return closing;
}

// The harness went away without saying goodbye: do not outlive it.
process.on("disconnect", () => void close());

process.on("message", (message: ToServer) => {
  const work = message.type === "configure" ? configure(message.entrance) : close();
  work.then(
    () => {
      if (message.type === "configure") send({ type: "ready" });
    },
    (error: unknown) => {
      send({
        type: "failed",
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      process.exitCode = 1;
    },
  );
});

send({ type: "listening", port });
