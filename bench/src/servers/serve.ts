import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import type { FromServer, ServerFacts, ServerSetup, ToServer } from "./protocol.js";

/** What a mounted server may give back: what to close at the end, facts of its own. */
export interface Mounted {
  readonly close?: () => Promise<void>;
  /** E.g. how many sessions it holds and their size, for the memory benchmark. */
  readonly facts?: () => Record<string, number>;
}

/** Mounts a server's routes once its setup is known. */
export type Mount = (app: Express, setup: ServerSetup, base: string) => Promise<Mounted>;

/** A server on another framework: its Node request listener, made once its setup is known. */
export type MountListener = (
  setup: ServerSetup,
  base: string,
) => Promise<Mounted & { readonly listener: RequestListener }>;

/** How long a server may take to close before it exits anyway. */
const EXIT_GRACE_MS = 3_000;

/** {@link serveListener} for an Express app: `mount` adds its routes. */
export function serve(mount: Mount): Promise<void> {
  const app = express();
  return serveListener(async (setup, base) => ({
    ...(await mount(app, setup, base)),
    listener: app,
  }));
}

/**
 * Runs one server under test in this process, which the harness started (pinned to a core) with
 * an IPC channel: listens on 127.0.0.1 on a free port and says which, mounts its request
 * listener when the setup comes, and ends when the harness says so or goes away.
 */
export async function serveListener(mount: MountListener): Promise<void> {
  if (!process.send) throw new Error("a bench server is started by a harness, with an IPC channel");
  let listener: RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => listener(req, res));
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  let mounted: Mounted = {};
  let closing: Promise<void> | undefined;

  const send = (message: FromServer) => process.send?.(message);
  const close = () => {
    closing ??= (async () => {
      setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await mounted.close?.();
      if (process.connected) process.disconnect();
    })();
    return closing;
  };

  // The harness went away without saying goodbye: do not outlive it.
  process.on("disconnect", () => void close());
  process.on("message", (message: ToServer) => {
    if (message.type === "close") {
      void close();
      return;
    }
    if (message.type === "facts") {
      send({ type: "facts", facts: facts(mounted) });
      return;
    }
    mount(message.setup, `http://127.0.0.1:${port}`).then(
      (done) => {
        mounted = done;
        listener = done.listener;
        send({ type: "ready" });
      },
      (error: unknown) => {
        send({
          type: "failed",
          message: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
        void close();
      },
    );
  });
  send({ type: "listening", port });
}

/** Memory after a full collection (when node runs with --expose-gc), and the server's own facts. */
function facts(mounted: Mounted): ServerFacts {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  return {
    memory: process.memoryUsage(),
    collected: Boolean(collect),
    own: mounted.facts?.() ?? {},
  };
}
