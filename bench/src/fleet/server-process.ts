import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { FromServer, ServerFacts, ServerSetup, ToServer } from "../servers/protocol.js";

/** A server under test in a Node process of its own, pinned to one CPU. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** Mounts the server's routes; resolves when they are served. */
  configure(setup: ServerSetup): Promise<void>;
  /** Its memory (after a full collection under --expose-gc) and facts of its own. */
  facts(): Promise<ServerFacts>;
  /** Resident set size, from /proc: what the OS gives the process, heap and all. */
  rssBytes(): Promise<number>;
  /** CPU time used so far (user + system), from /proc, in seconds. */
  cpuSeconds(): Promise<number>;
  /** Asks the server to close, kills it if it does not; resolves when it is gone. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A script in bench/dist/servers, without `.js`. */
  readonly script: string;
  readonly name: string;
  /** The CPU the process may run on (`taskset -c`). */
  readonly cpu: number;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

const SERVERS = fileURLToPath(new URL("../servers/", import.meta.url));
const START_TIMEOUT_MS = 15_000;
const CONFIGURE_TIMEOUT_MS = 30_000;
const EXIT_WAIT_MS = 5_000;
/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`: 100 on Linux). */
const CLOCK_TICKS = 100;

/** Starts `node bench/dist/servers/<script>.js` under `taskset -c <cpu>` and waits until it listens. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const child = spawn(
    "taskset",
    [
      "-c",
      String(options.cpu),
      process.execPath,
      ...(options.nodeFlags ?? []),
      `${SERVERS}${options.script}.js`,
    ],
    {
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  live.add(child);
  child.once("exit", () => live.delete(child));
  const { port } = await reply(child, options.name, "listening", START_TIMEOUT_MS);
  const pid = child.pid as number;
  return {
    name: options.name,
    pid,
    base: `http://127.0.0.1:${port}`,
    async configure(setup) {
      const answer = reply(child, options.name, "ready", CONFIGURE_TIMEOUT_MS);
      send(child, { type: "configure", setup });
      await answer;
    },
    async facts() {
      const answer = reply(child, options.name, "facts", CONFIGURE_TIMEOUT_MS);
      send(child, { type: "facts" });
      return (await answer).facts;
    },
    async rssBytes() {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      if (!kib) throw new Error(`no VmRSS for the ${options.name} server`);
      return Number(kib) * 1024;
    },
    async cpuSeconds() {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces): utime and stime are 14th and 15th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    },
    stop: () => stopChild(child),
  };
}

/** Every server process started and not yet gone, so that a failing run stops them all. */
const live = new Set<ChildProcess>();

/** Stops every server process still running (for a `finally` or a signal handler). */
export async function stopAllServers(): Promise<void> {
  await Promise.allSettled([...live].map(stopChild));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  if (child.connected) send(child, { type: "close" });
  else child.kill();
  const timer = setTimeout(() => child.kill("SIGKILL"), EXIT_WAIT_MS);
  await exited;
  clearTimeout(timer);
}

function send(child: ChildProcess, message: ToServer): void {
  child.send(message);
}

/** The child's next message of `type`; rejects when it fails, exits or takes too long first. */
function reply<T extends FromServer["type"]>(
  child: ChildProcess,
  name: string,
  type: T,
  timeoutMs: number,
): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromServer) => {
      if (message.type === type) {
        done();
        resolve(message as Extract<FromServer, { type: T }>);
      } else if (message.type === "failed") {
        done();
        reject(new Error(`the ${name} server failed: ${message.message}`));
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`the ${name} server exited (${code}) before "${type}"`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the ${name} server did not say "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}
