import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import {
  defaults,
  EMULATED_CLOUDS,
  type EmulatedCloud,
  externalDefaults,
  type RunningEmulator,
  startEmulator,
} from "@entrance/emulator";
import { type ExpressEntranceOptions, trustCertificateAuthority } from "@entrance/express";
import { createApp } from "./app.js";

const DATA = resolve(".entrance");

/**
 * `npm start`: the reference app on http://localhost:3000 (PORT to change). Without
 * AZURE_TENANT_ID it first starts the local Entra ID emulator and signs in against it; with real
 * AZURE_* values it talks to Entra ID.
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error("PORT must be a port number");
  const baseUrl = process.env.ENTRANCE_BASE_URL ?? `http://localhost:${port}`;
  const options: { -readonly [K in keyof ExpressEntranceOptions]: ExpressEntranceOptions[K] } = {
    baseUrl,
  };
  if (!process.env.ENTRANCE_SECRET) {
    options.secrets = [await developmentSecret()];
    console.warn(
      "webapp: ENTRANCE_SECRET is not set; using a generated development secret kept in .entrance/. Production needs its own: `openssl rand -base64 32`.",
    );
  }
  let emulator: RunningEmulator | undefined;
  // A B2C policy in the environment (read by Entrance) signs in through the emulator's B2C tenant;
  // ENTRANCE_EXTERNAL_ID=true (read by Entrance too) through its External ID tenant, for customers
  // who sign themselves up. Each has the reference app registered.
  const b2c = Boolean(process.env.AZURE_B2C_SIGN_UP_SIGN_IN_POLICY);
  const customers = process.env.ENTRANCE_EXTERNAL_ID === "true";
  const registration = b2c
    ? { id: defaults.b2c.webApp, secret: defaults.b2c.webAppSecret, tenant: defaults.b2c.tenant }
    : customers
      ? {
          id: externalDefaults.app,
          secret: externalDefaults.appSecret,
          tenant: externalDefaults.tenant,
        }
      : { id: defaults.webApp, secret: defaults.webAppSecret, tenant: defaults.contoso };
  if (!process.env.AZURE_TENANT_ID) {
    emulator = await startEmulator({
      httpPort: 8400,
      httpsPort: 8443,
      dataDir: join(DATA, "emulator"),
      ...emulatedCloud(process.env.ENTRANCE_EMULATOR_CLOUD),
    });
    // The emulator's apps are registered for port 3000; register this port too if it differs.
    const registered = emulator.directory.app(registration.id)?.value;
    if (registered && !registered.redirectUris.includes(`${baseUrl}/auth/callback`)) {
      emulator.control.putApp(registration.tenant, {
        ...registered,
        redirectUris: [...registered.redirectUris, `${baseUrl}/auth/callback`, `${baseUrl}/`],
        ...(b2c ? {} : { frontchannelLogoutUrl: `${baseUrl}/auth/frontchannel-logout` }),
      });
    }
    Object.assign(
      options,
      b2c
        ? { tenantId: defaults.b2c.domain }
        : {
            // ENTRANCE_ACCOUNTS (read by Entrance) opts in to personal accounts: the authority
            // follows.
            tenantId: customers
              ? externalDefaults.tenant
              : (TENANT_FOR_ACCOUNTS[process.env.ENTRANCE_ACCOUNTS ?? ""] ?? "organizations"),
            // The app's own tenant (Contoso, or the External ID one) is the one whose roles count.
            authorization: { trustedTenants: [registration.tenant] },
            graphBaseUrl: emulator.urls.https,
          },
      {
        clientId: registration.id,
        clientSecret: registration.secret,
        authorityHost: emulator.urls.https,
        trust: trustCertificateAuthority(emulator.caCertPem),
      },
    );
  }
  const { app, entrance } = createApp(options);
  const server = app.listen(port, "localhost");
  await new Promise<void>((done, fail) => server.once("listening", done).once("error", fail));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const lines = [`Entrance reference app: ${url}`];
  if (emulator && b2c) {
    lines.push(
      `Signing in against the emulator's Azure AD B2C tenant ${defaults.b2c.domain} (${emulator.urls.http}):`,
      `  ${defaults.b2c.customerEmail}, password ${defaults.b2c.customerPassword}, or "Sign up now"`,
    );
  } else if (emulator) {
    lines.push(
      `Signing in against the local Entra ID emulator (${emulator.urls.http}); pick any of these users:`,
      ...emulator.control
        .directory()
        .tenants.flatMap((t) =>
          t.users.map((u) => `  ${u.userPrincipalName.padEnd(54)} ${u.displayName}`),
        ),
    );
  } else {
    lines.push(
      `Signing in against ${entrance.core.config.authorityHost}/${entrance.core.config.tenantId}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);

  const stop = async () => {
    server.close();
    server.closeAllConnections();
    await entrance.core.close();
    await emulator?.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

/** The emulator's authority for each ENTRANCE_ACCOUNTS value that needs another than organizations. */
const TENANT_FOR_ACCOUNTS: Readonly<Record<string, string>> = {
  any: "common",
  personal: "consumers",
};

/** ENTRANCE_EMULATOR_CLOUD: the Microsoft cloud the emulator answers as (global, usgov, china). */
function emulatedCloud(value: string | undefined): { cloud?: EmulatedCloud } {
  if (value === undefined || value === "") return {};
  const cloud = EMULATED_CLOUDS.find((name) => name === value);
  if (!cloud) {
    throw new Error(`ENTRANCE_EMULATOR_CLOUD must be one of ${EMULATED_CLOUDS.join(", ")}`);
  }
  return { cloud };
}

/** A development secret, generated once and kept, so that restarts keep stored tokens readable. */
async function developmentSecret(): Promise<string> {
  const file = join(DATA, "development-secret");
  try {
    const kept = (await readFile(file, "utf8")).trim();
    if (kept.length >= 32) return kept;
  } catch {
    // None yet: make one.
  }
  const secret = randomBytes(32).toString("base64url");
  await mkdir(DATA, { recursive: true, mode: 0o700 });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

main().catch((error: unknown) => {
  console.error(
    `webapp: could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
