#!/usr/bin/env node
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { defaultDirectory } from "./config/default-directory.js";
import { DirectoryConfigError, loadDirectoryFile } from "./config/load.js";
import type { DirectoryConfig, DirectoryInput } from "./config/schema.js";
import { type RunningEmulator, startEmulator } from "./emulator.js";
import type { HostProxy } from "./http/host-proxy.js";
import { EMULATED_CLOUDS, type EmulatedCloud, isEmulatedCloud } from "./protocol/clouds.js";
import { startEmulatorHostProxy } from "./testing/host-route.js";

const USAGE = `Usage: entrance-emulator [options]

A local Microsoft Entra ID and Microsoft Graph emulator, for development and tests.

Options:
  --port <n>         port of the browser-facing pages over http (default 8400; 0 = a free port)
  --https-port <n>   port of discovery, token, keys and Graph over https (default 8443; 0 = free)
  --https-pages      send browsers to the pages over https too (for clients that refuse http);
                     the browser must trust the emulator's certificate authority
  --config <file>    directory configuration (JSON); default: the built-in contoso/fabrikam one
  --data-dir <dir>   where the certificate authority and signing keys are kept
                     (default ./.entrance/emulator)
  --cloud <name>     answer as this Microsoft cloud's Entra ID: global, usgov or china
                     (its discovery document's cloud_instance_name and tenant_region_scope)
  --external-sign-in <method>
                     how the External ID tenants' user flows sign customers in: email-password
                     (the default) or email-otp (an e-mailed one-time passcode, no password)
  --host-proxy <n>   also run the host proxy on 127.0.0.1:<n> (0 = a free port): an HTTP CONNECT
                     proxy that tunnels only the External ID tenants' ciamlogin.com names to the
                     https port, for a browser's --proxy-server (development only)
  --json             print one JSON line describing the running emulator, for programs
  -h, --help         show this help
`;

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`${name} must be a port number from 0 to 65535`);
  return n;
}

class UsageError extends Error {}

function cloudOption(value: string): EmulatedCloud {
  if (isEmulatedCloud(value)) return value;
  throw new UsageError(`--cloud must be one of ${EMULATED_CLOUDS.join(", ")}`);
}

const SIGN_IN_METHODS = { "email-password": "emailPassword", "email-otp": "emailOtp" } as const;

/** The directory with every External ID tenant's user flow set to sign in by `value`. */
function withExternalSignIn(
  directory: DirectoryInput | DirectoryConfig,
  value: string,
): DirectoryInput {
  const method = Object.hasOwn(SIGN_IN_METHODS, value)
    ? SIGN_IN_METHODS[value as keyof typeof SIGN_IN_METHODS]
    : undefined;
  if (!method) {
    throw new UsageError(
      `--external-sign-in must be one of ${Object.keys(SIGN_IN_METHODS).join(", ")}`,
    );
  }
  if (!directory.tenants.some((tenant) => tenant.kind === "external")) {
    throw new UsageError("--external-sign-in: the directory has no External ID tenant");
  }
  return {
    ...directory,
    tenants: directory.tenants.map((tenant) =>
      tenant.kind === "external" ? { ...tenant, signInMethod: method } : tenant,
    ),
  };
}

/** What `--json` prints: everything a test or script needs to use the emulator. */
export function describeEmulator(emulator: RunningEmulator, hostProxy?: HostProxy) {
  const directory = emulator.control.directory();
  return {
    ...(hostProxy ? { hostProxy: hostProxy.url } : {}),
    http: emulator.urls.http,
    https: emulator.urls.https,
    pages: emulator.urls.pages,
    caCertPath: emulator.caCertPath,
    controlKey: emulator.controlKey,
    tenants: directory.tenants.map((t) => ({
      id: t.id,
      domain: t.domain,
      displayName: t.displayName,
    })),
    apps: directory.tenants.flatMap((t) =>
      t.apps.map((a) => ({
        clientId: a.clientId,
        displayName: a.displayName,
        tenantId: t.id,
        clientSecret: a.secrets[0] ?? null,
        redirectUris: a.redirectUris,
      })),
    ),
    users: directory.tenants.flatMap((t) =>
      t.users.map((u) => ({
        id: u.id,
        upn: u.userPrincipalName,
        displayName: u.displayName,
        tenantId: t.id,
      })),
    ),
  };
}

function forPeople(info: ReturnType<typeof describeEmulator>): string {
  const app = info.apps[0];
  const lines = [
    "Entra ID emulator is running (development only).",
    "",
    `  Sign-in pages   ${info.pages}`,
    `  Authority       ${info.https}/${info.tenants[0]?.domain ?? "organizations"}  (or ${info.https}/organizations)`,
    `  Graph           ${info.https}/v1.0/me`,
    `  CA certificate  ${info.caCertPath}`,
    "",
    "Trust its certificate authority from your client, e.g.",
    `  NODE_EXTRA_CA_CERTS=${info.caCertPath}   (Node.js)`,
    `  REQUESTS_CA_BUNDLE=${info.caCertPath}    (Python requests / MSAL Python)`,
    `and give MSAL knownAuthorities: ["${new URL(info.https).host}"].`,
    "",
  ];
  if (app) {
    lines.push(
      "App registration:",
      `  client id      ${app.clientId}`,
      `  client secret  ${app.clientSecret ?? "(public client)"}`,
      `  redirect URIs  ${app.redirectUris.join(", ")}`,
      "",
    );
  }
  if (info.hostProxy) {
    lines.push(
      `Host proxy ${info.hostProxy} (tunnels the External ID tenants' ciamlogin.com names here):`,
      `  chromium --proxy-server=${info.hostProxy}   (trust the CA certificate too)`,
      "",
    );
  }
  lines.push("Test users (pick one on the sign-in page; no password):");
  for (const user of info.users) lines.push(`  ${user.upn.padEnd(54)} ${user.displayName}`);
  lines.push("", "Press Ctrl+C to stop.");
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      "https-port": { type: "string" },
      config: { type: "string" },
      "data-dir": { type: "string" },
      cloud: { type: "string" },
      "external-sign-in": { type: "string" },
      "host-proxy": { type: "string" },
      json: { type: "boolean", default: false },
      "https-pages": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  let directory: DirectoryInput | DirectoryConfig | undefined = values.config
    ? await loadDirectoryFile(values.config)
    : undefined;
  if (values["external-sign-in"] !== undefined) {
    directory = withExternalSignIn(directory ?? defaultDirectory, values["external-sign-in"]);
  }
  const emulator = await startEmulator({
    httpPort: port(values.port, 8400, "--port"),
    httpsPort: port(values["https-port"], 8443, "--https-port"),
    dataDir: resolve(values["data-dir"] ?? ".entrance/emulator"),
    httpsPages: values["https-pages"],
    ...(values.cloud === undefined ? {} : { cloud: cloudOption(values.cloud) }),
    ...(directory ? { directory } : {}),
  });
  const hostProxy =
    values["host-proxy"] === undefined
      ? undefined
      : await startEmulatorHostProxy(emulator, port(values["host-proxy"], 0, "--host-proxy"));
  const info = describeEmulator(emulator, hostProxy);
  process.stdout.write(values.json ? `${JSON.stringify(info)}\n` : `${forPeople(info)}\n`);
  const stop = () => {
    void Promise.resolve(hostProxy?.close())
      .then(() => emulator.stop())
      .then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  if (error instanceof DirectoryConfigError || error instanceof UsageError) {
    console.error(`entrance-emulator: ${error.message}`);
    if (error instanceof UsageError) console.error(USAGE);
  } else if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
    console.error(
      `entrance-emulator: ${(error as Error).message}. Choose other ports with --port and --https-port.`,
    );
  } else if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`entrance-emulator: ${(error as Error).message}\n${USAGE}`);
  } else {
    console.error("entrance-emulator: failed to start:", error);
  }
  process.exit(1);
});
