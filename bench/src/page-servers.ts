import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { EntranceSetup, FromServer, ServerKind, ToServer } from "./protocol.js";

/** A page server in a child process of its own (see page-server.ts). */
export interface PageServer {
  readonly kind: ServerKind;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** Mounts the page (and, for Entrance, the middleware); resolves when it is served. */
  configure(entrance?: EntranceSetup): Promise<void>;
  /** Closes the server and its store and waits for the process to end. */
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL("./page-server.js", import.meta.url));
const EXIT_WAIT_MS = 5_000;

/** Starts a page server process and waits until it listens on 127.0.0.1. */
export async function forkPageServer(kind: ServerKind): Promise<PageServer> {
  const child = fork(SCRIPT, [kind], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const { port } = await reply(child, "listening");
  return {
    kind,
    base: `http://127.0.0.1:${port}`,
    async configure(entrance) {
      const answer = reply(child, "ready");
      send(child, entrance ? { type: "configure", entrance } : { type: "configure" });
      await answer;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      if (child.connected) send(child, { type: "close" });
      const timer = setTimeout(() => child.kill(), EXIT_WAIT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

function send(child: ChildProcess, message: ToServer): void {
  child.send(message);
}

/** The child's next message of `type`; rejects when it reports a failure or exits first. */
function reply<T extends FromServer["type"]>(
  child: ChildProcess,
  type: T,
): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromServer) => {
      if (message.type === type) {
        done();
        resolve(message as Extract<FromServer, { type: T }>);
      } else if (message.type === "failed") {
        done();
        reject(new Error(`the ${child.spawnargs.at(-1)} page server failed: ${message.message}`));
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(
        new Error(`the ${child.spawnargs.at(-1)} page server exited (${code}) before "${type}"`),
      );
    };
    const done = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}
