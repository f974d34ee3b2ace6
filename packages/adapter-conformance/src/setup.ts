/**
 * One emulator and one app per suite: Entrance for the emulator's built-in web app, registered
 * for the app's port (callback, post-logout and front-channel URLs).
 */
import { createMemoryStore, type EntranceOptions, trustCertificateAuthority } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import type { AdapterHarness, RunningApp } from "./harness.js";

/** The group the suite's `requireGroup("Engineering")` names (Megan and Lee are members). */
export const ENGINEERING = "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e";

export interface Running {
  readonly emulator: RunningEmulator;
  readonly app: RunningApp;
  readonly base: string;
}

/** Starts the emulator, then the harness's app configured for it. */
export async function startBoth(harness: AdapterHarness): Promise<Running> {
  const emulator = await startEmulator();
  try {
    const app = await harness.start((baseUrl) => {
      const registered = emulator.directory.app(defaults.webApp)?.value;
      emulator.control.putApp(defaults.contoso, {
        ...registered,
        clientId: defaults.webApp,
        displayName: "Adapter conformance app",
        redirectUris: [`${baseUrl}/auth/callback`, `${baseUrl}/`],
        frontchannelLogoutUrl: `${baseUrl}/auth/frontchannel-logout`,
      });
      return entranceOptions(emulator, baseUrl);
    });
    return { emulator, app, base: app.baseUrl };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

function entranceOptions(emulator: RunningEmulator, baseUrl: string): EntranceOptions {
  return {
    tenantId: "organizations",
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    graphBaseUrl: emulator.urls.https,
    baseUrl,
    secrets: ["adapter-conformance-secret-adapter-conformance"],
    trust: trustCertificateAuthority(emulator.caCertPem),
    store: createMemoryStore(),
    env: {},
    authorization: {
      // Multi-tenant: only the app's home tenant (Contoso) assigns roles that count.
      trustedTenants: [defaults.contoso],
      groups: { Engineering: ENGINEERING },
      permissions: { "orders.approve": { roles: ["Orders.Approve", "Entrance.Admin"] } },
    },
  };
}
