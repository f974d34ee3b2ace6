import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  defaults,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from "@entrance/emulator";
import { type HonoEntranceOptions, trustCertificateAuthority } from "@entrance/hono";

/** Entrance's options for this app, and the emulator started for it (when there is no tenant). */
export interface Development {
  readonly options: HonoEntranceOptions;
  readonly emulator: RunningEmulator | undefined;
}

/**
 * Without `AZURE_TENANT_ID` in `env`, starts the local Entra ID emulator, registers this app's
 * URLs there and returns the options that sign in against it; with it, Entrance reads AZURE_*
 * itself. Without `ENTRANCE_SECRET`, a development secret kept in `dataDir`.
 */
export async function development(
  baseUrl: string,
  dataDir: string,
  env: Readonly<Record<string, string | undefined>>,
  emulatorOptions: EmulatorOptions = {},
): Promise<Development> {
  const secrets = env.ENTRANCE_SECRET ? {} : { secrets: [await developmentSecret(dataDir)] };
  if (env.AZURE_TENANT_ID) return { options: { baseUrl, ...secrets }, emulator: undefined };
  const emulator = await startEmulator({ dataDir: join(dataDir, "emulator"), ...emulatorOptions });
  const registered = emulator.directory.app(defaults.webApp)?.value;
  if (!registered) throw new Error("the emulator's directory has no web app");
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    redirectUris: [...registered.redirectUris, `${baseUrl}/auth/callback`, `${baseUrl}/`],
    frontchannelLogoutUrl: `${baseUrl}/auth/frontchannel-logout`,
  });
  const options: HonoEntranceOptions = {
    baseUrl,
    ...secrets,
    tenantId: "organizations",
    // The emulator registers the app in Contoso: only Contoso's role assignments count.
    authorization: { trustedTenants: [defaults.contoso] },
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    graphBaseUrl: emulator.urls.https,
    trust: trustCertificateAuthority(emulator.caCertPem),
  };
  return { options, emulator };
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
