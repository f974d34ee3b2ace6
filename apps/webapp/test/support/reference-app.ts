import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EntranceStore } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { trustCertificateAuthority } from "@entrance/express";
import { openSqlStore } from "@entrance/store-sql";
import type { Browser } from "playwright-core";
import { launchChromium } from "../../../../packages/emulator/test/support/browser.js";
import { createApp } from "../../src/app.js";

/** Where tests write screenshots for a person to look at (git-ignored). */
export const SCREENSHOTS = join(import.meta.dirname, "../../../../test-results/screenshots");

/** The reference app on a free port, on a SQLite file, against the emulator, with Chromium. */
export interface RunningReferenceApp {
  readonly emulator: RunningEmulator;
  readonly store: EntranceStore;
  readonly base: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startReferenceApp(): Promise<RunningReferenceApp> {
  const emulator = await startEmulator();
  const folder = await mkdtemp(join(tmpdir(), "entrance-webapp-"));
  const store = await openSqlStore(join(folder, "entrance.db"));
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const registered = emulator.directory.app(defaults.webApp)?.value;
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    clientId: defaults.webApp,
    displayName: "Entrance reference app",
    redirectUris: [`${base}/auth/callback`, `${base}/`],
    frontchannelLogoutUrl: `${base}/auth/frontchannel-logout`,
  });
  const { app } = createApp({
    tenantId: "organizations",
    authorization: { trustedTenants: [defaults.contoso] },
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    graphBaseUrl: emulator.urls.https,
    baseUrl: base,
    secrets: ["reference-app-test-secret-0123456789"],
    trust: trustCertificateAuthority(emulator.caCertPem),
    store,
    env: {},
  });
  server.on("request", app);
  const browser = await launchChromium();
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    emulator,
    store,
    base,
    browser,
    async close() {
      await browser.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
      await emulator.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
