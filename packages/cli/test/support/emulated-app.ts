/**
 * An app's configuration pointing at a real emulator started in this process, in a temporary
 * folder of its own: what `doctor` reads, as an app would have it in its environment.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";

export interface EmulatedApp {
  readonly emulator: RunningEmulator;
  /** The app's folder (temporary). */
  readonly dir: string;
  /** The emulator's CA, written where --ca can read it. */
  readonly caPath: string;
  /** The environment of a correctly configured app (a secret credential, a SQLite file). */
  env(overrides?: Record<string, string | undefined>): Record<string, string | undefined>;
  stop(): Promise<void>;
}

/** A strong ENTRANCE_SECRET, as `openssl rand -base64 32` makes. */
export const strongSecret = () => randomBytes(32).toString("base64");

export async function emulatedApp(): Promise<EmulatedApp> {
  const emulator = await startEmulator();
  const dir = await mkdtemp(join(tmpdir(), "entrance-cli-"));
  const caPath = join(dir, "emulator-ca.pem");
  await writeFile(caPath, emulator.caCertPem);
  const secret = strongSecret();
  return {
    emulator,
    dir,
    caPath,
    env: (overrides = {}) => {
      const env: Record<string, string | undefined> = {
        AZURE_TENANT_ID: defaults.contoso,
        AZURE_CLIENT_ID: defaults.webApp,
        AZURE_CLIENT_SECRET: defaults.webAppSecret,
        AZURE_AUTHORITY_HOST: emulator.urls.https,
        ENTRANCE_GRAPH_URL: emulator.urls.https,
        ENTRANCE_BASE_URL: "http://localhost:3000",
        ENTRANCE_SECRET: secret,
        DATABASE_URL: join(dir, "entrance.db"),
        ...overrides,
      };
      for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
      return env;
    },
    stop: async () => {
      await emulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
