import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMemoryStore, type Entrance } from "@entrance/core";
import {
  defaults,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import express, { type Express } from "express";
import {
  type EntranceMiddleware,
  type ExpressEntranceOptions,
  entrance,
  trustCertificateAuthority,
} from "../../src/index.js";

/** An Express app with `entrance()` for the emulator's built-in web app, on a free port. */
export interface TestApp {
  readonly emulator: RunningEmulator;
  readonly app: Express;
  readonly base: string;
  /** What `entrance()` was given, for a second core on the same emulator. */
  readonly settings: ExpressEntranceOptions;
  /** The app's Entrance core. */
  readonly core: Entrance;
  /** Signs `user` in through the emulator's pages; returns the Cookie header of that browser. */
  signIn(user: string, returnTo?: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the emulator and an app whose routes `routes` adds after `entrance()` (`auth`). */
export async function startTestApp(
  routes: (app: Express, auth: EntranceMiddleware) => void,
  options: Partial<ExpressEntranceOptions> = {},
  emulatorOptions: EmulatorOptions = {},
): Promise<TestApp> {
  const emulator = await startEmulator(emulatorOptions);
  const app = express();
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const registered = emulator.directory.app(defaults.webApp)?.value;
  emulator.control.putApp(defaults.contoso, {
    ...registered,
    clientId: defaults.webApp,
    displayName: "Express test app",
    redirectUris: [`${base}/auth/callback`, `${base}/`],
  });
  const settings: ExpressEntranceOptions = {
    tenantId: "organizations",
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    graphBaseUrl: emulator.urls.https,
    baseUrl: base,
    secrets: ["express-test-secret-express-test-secret"],
    trust: trustCertificateAuthority(emulator.caCertPem),
    store: createMemoryStore(),
    env: {},
    ...options,
    // Multi-tenant: only the app's home tenant (Contoso) assigns roles that count.
    authorization: { trustedTenants: [defaults.contoso], ...options.authorization },
  };
  const auth = entrance(settings);
  app.use(auth);
  routes(app, auth);
  return {
    emulator,
    app,
    settings,
    base,
    core: auth.core,
    async signIn(user, returnTo = "/") {
      const login = await fetch(`${base}/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
        redirect: "manual",
      });
      const binding = cookiesOf(login);
      const { location } = await pickAccount(emulator, login.headers.get("location") ?? "", {
        user,
      });
      const callback = await fetch(location, { redirect: "manual", headers: { cookie: binding } });
      if (callback.status !== 302) throw new Error(`sign-in failed: HTTP ${callback.status}`);
      return cookiesOf(callback);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await emulator.stop();
    },
  };
}

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
