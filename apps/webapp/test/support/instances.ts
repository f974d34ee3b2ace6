/**
 * Reference-app processes for the scale-out tests: each a real `node apps/webapp/dist/start.js`
 * on a free port of its own, configured only through its environment (as a deployment would be),
 * against an emulator the test runs. Every process is stopped by the pid this file started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { defaults, type RunningEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";

const START = join(import.meta.dirname, "../../dist/start.js");

/** A port nothing listens on right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Registers `bases` as the emulator's web app redirect URIs (besides none other). */
export function registerBases(emulator: RunningEmulator, bases: readonly string[]): void {
  const registered = emulator.directory.app(defaults.webApp)?.value;
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    clientId: defaults.webApp,
    displayName: "Entrance reference app",
    redirectUris: bases.flatMap((base) => [`${base}/auth/callback`, `${base}/`]),
  });
}

/**
 * The environment of a reference app against `emulator`: its AZURE_* settings and its
 * certificate authority (NODE_EXTRA_CA_CERTS, Node's own switch for an extra trusted CA).
 */
export function emulatorEnvironment(emulator: RunningEmulator): Record<string, string> {
  return {
    AZURE_TENANT_ID: "organizations",
    AZURE_CLIENT_ID: defaults.webApp,
    AZURE_CLIENT_SECRET: defaults.webAppSecret,
    AZURE_AUTHORITY_HOST: emulator.urls.https,
    ENTRANCE_GRAPH_URL: emulator.urls.https,
    ENTRANCE_TRUSTED_TENANTS: defaults.contoso,
    NODE_EXTRA_CA_CERTS: emulator.caCertPath,
  };
}

/** One reference-app process. */
export interface AppProcess {
  readonly base: string;
  /** Starts the process (again, after {@link AppProcess.stop}) and waits until it listens. */
  start(): Promise<void>;
  /** SIGTERM (the app closes its stores), SIGKILL after 10 s; waits until it has exited. */
  stop(): Promise<void>;
}

/** A reference app on `port` with `env` (on top of PATH and HOME only), not started yet. */
export function appProcess(port: number, env: Record<string, string>, cwd: string): AppProcess {
  const base = `http://localhost:${port}`;
  let child: ChildProcess | null = null;
  return {
    base,
    async start() {
      const started = spawn(process.execPath, [START], {
        cwd,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "",
          PORT: String(port),
          ENTRANCE_BASE_URL: base,
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = started;
      let output = "";
      const listening = new Promise<void>((resolve, reject) => {
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("Entrance reference app: ")) resolve();
        };
        started.stdout?.on("data", read);
        started.stderr?.on("data", read);
        started.once("exit", (code) =>
          reject(new Error(`the reference app exited with ${code} at start:\n${output}`)),
        );
      });
      await listening;
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exit = once(running, "exit");
      running.kill("SIGTERM");
      const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
}

/** Signs `user` in on `base` through the emulator's pages; the Cookie header of that browser. */
export async function signIn(
  emulator: RunningEmulator,
  base: string,
  user: string,
): Promise<string> {
  const login = await fetch(`${base}/auth/login?returnTo=/`, { redirect: "manual" });
  if (login.status !== 302) {
    throw new Error(`login answered HTTP ${login.status}: ${(await login.text()).slice(0, 300)}`);
  }
  const { location } = await pickAccount(emulator, login.headers.get("location") ?? "", { user });
  const callback = await fetch(location, {
    redirect: "manual",
    headers: { cookie: cookiesOf(login) },
  });
  if (callback.status !== 302) throw new Error(`sign-in failed: HTTP ${callback.status}`);
  return cookiesOf(callback);
}

/**
 * Waits until `/healthz` of the app at `base` says all is well: its store has opened (the default
 * store opens, and migrates, while the app already listens; until then a request waits for it
 * within `storeTimeoutMs` and answers 503 past it).
 */
export async function storeOpened(base: string): Promise<void> {
  await eventually(async () => (await fetch(`${base}/healthz`)).status === 200);
}

/** `GET path` on `base` as JSON with `cookie`, never following a redirect. */
export function get(base: string, path: string, cookie: string): Promise<Response> {
  return fetch(`${base}${path}`, {
    headers: { cookie, accept: "application/json" },
    redirect: "manual",
  });
}

/** Polls `condition` every 100 ms until it holds; fails after `ms` (a bound, never a claim). */
export async function eventually(condition: () => Promise<boolean>, ms = 30_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 100) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the condition did not come true within ${ms / 1000} s`);
}
