import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  defaults,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from "@entrance/emulator";

/** The environment `next start` runs with, and the emulator started for it (when there is no tenant). */
export interface Development {
  readonly env: Record<string, string>;
  readonly emulator: RunningEmulator | undefined;
}

/**
 * Without `AZURE_TENANT_ID` in `env`, starts the local Entra ID emulator, registers this app's
 * URLs there and returns the AZURE_* and ENTRANCE_* variables that sign in against it, with
 * `NODE_EXTRA_CA_CERTS` naming its certificate authority; with it, Entrance reads the given ones.
 * Next's server is a process of its own, so the configuration goes to it as its environment.
 * Without `ENTRANCE_SECRET`, a development secret kept in `dataDir`.
 */
export async function development(
  baseUrl: string,
  dataDir: string,
  env: Readonly<Record<string, string | undefined>>,
  emulatorOptions: EmulatorOptions = {},
): Promise<Development> {
  const common: Record<string, string> = {
    ENTRANCE_BASE_URL: baseUrl,
    ENTRANCE_SECRET: env.ENTRANCE_SECRET ?? (await developmentSecret(dataDir)),
  };
  if (env.AZURE_TENANT_ID) return { env: common, emulator: undefined };
  const emulator = await startEmulator({ dataDir: join(dataDir, "emulator"), ...emulatorOptions });
  const registered = emulator.directory.app(defaults.webApp)?.value;
  if (!registered) throw new Error("the emulator's directory has no web app");
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    redirectUris: [...registered.redirectUris, `${baseUrl}/auth/callback`, `${baseUrl}/`],
    frontchannelLogoutUrl: `${baseUrl}/auth/frontchannel-logout`,
  });
  return {
    env: {
      ...common,
      AZURE_TENANT_ID: "organizations",
      AZURE_CLIENT_ID: defaults.webApp,
      AZURE_CLIENT_SECRET: defaults.webAppSecret,
      AZURE_AUTHORITY_HOST: emulator.urls.https,
      ENTRANCE_GRAPH_URL: emulator.urls.https,
      // The emulator registers the app in Contoso: only Contoso's role assignments count.
      ENTRANCE_TRUSTED_TENANTS: defaults.contoso,
      NODE_EXTRA_CA_CERTS: emulator.caCertPath,
    },
    emulator,
  };
}

/** Generated once and kept, so that restarts keep stored tokens readable. */
async function developmentSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, "development-secret");
  const kept = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  if (kept.length >= 32) return kept;
  const secret = randomBytes(32).toString("base64url");
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
