/**
 * Private redis-server processes for tests that need a server of their own (one to stop) or a
 * Redis Cluster: each on free ports of 127.0.0.1, in a temporary folder, without persistence,
 * stopped (by the pid this file started) and removed afterwards.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Whether redis-server and redis-cli are on the PATH. */
export async function redisBinariesPresent(): Promise<boolean> {
  try {
    await run("redis-server", ["--version"]);
    await run("redis-cli", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/** A port nothing listens on right now (the kernel's pick). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Whether a server answers PING on the port. */
async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.on("connect", () => socket.write("PING\r\n"));
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One redis-server process of ours. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, after {@link RedisServer.stop}. */
  start(): Promise<void>;
}

/**
 * Starts redis-server on a free port, with `folder` as its working directory, and waits until it
 * answers. Retries with other ports when one was taken between the pick and the bind.
 */
export async function startRedisServer(
  folder: string,
  extra: (port: number) => string[] = () => [],
): Promise<RedisServer> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const args = (): string[] => [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      folder,
      "--dbfilename",
      `dump-${port}.rdb`,
      ...extra(port),
    ];
    let child: ChildProcess | null = null;
    const launch = async (): Promise<void> => {
      const started = spawn("redis-server", args(), { stdio: "ignore" });
      child = started;
      let exited = false;
      started.once("exit", () => {
        exited = true;
      });
      for (let waited = 0; waited < 10_000; waited += 50) {
        if (exited) throw new Error(`redis-server on port ${port} exited at start`);
        if (await answers(port)) return;
        await pause(50);
      }
      started.kill("SIGKILL");
      throw new Error(`redis-server on port ${port} did not answer within 10 s`);
    };
    const stop = async (): Promise<void> => {
      const running = child as ChildProcess | null;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exit = once(running, "exit");
      running.kill("SIGTERM");
      const timer = setTimeout(() => running.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(timer);
    };
    try {
      await launch();
      return { port, url: `redis://127.0.0.1:${port}`, stop, start: launch };
    } catch (error) {
      await stop();
      if (attempt >= 5) throw error;
    }
  }
}

/** A three-master Redis Cluster of our own. */
export interface RedisTestCluster {
  readonly nodes: readonly RedisServer[];
  /** Node URLs, for the store's `cluster` option. */
  readonly urls: readonly string[];
  /** Stops every node and removes the folder. */
  stop(): Promise<void>;
}

/**
 * Starts three cluster-enabled servers (client and cluster-bus ports all free), joins them with
 * `redis-cli --cluster create` (no replicas), and waits until every node says the cluster is ok.
 */
export async function startRedisCluster(): Promise<RedisTestCluster> {
  const folder = await mkdtemp(join(tmpdir(), "entrance-redis-cluster-"));
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(folder, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i += 1) {
      const busPort = await freePort();
      nodes.push(
        await startRedisServer(folder, (port) => [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `nodes-${port}.conf`,
          "--cluster-port",
          String(busPort),
          "--cluster-node-timeout",
          "5000",
        ]),
      );
    }
    await run("redis-cli", [
      "--cluster",
      "create",
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const node of nodes) {
      for (let waited = 0; ; waited += 100) {
        const { stdout } = await run("redis-cli", ["-p", String(node.port), "cluster", "info"]);
        if (stdout.includes("cluster_state:ok")) break;
        if (waited > 30_000) throw new Error(`cluster node ${node.port} is not ok after 30 s`);
        await pause(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, urls: nodes.map((node) => node.url), stop };
}

/** A temporary folder for a standalone server, with its removal. */
export async function serverFolder(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "entrance-redis-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
