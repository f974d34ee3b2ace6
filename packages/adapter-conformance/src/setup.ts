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
  /**
   * Starts another app of the same harness, registered beside the first (its callback added to
   * the app registration), with `overrides` on its options: for a test that breaks its store.
   * The test stops it.
   */
  another(overrides: Partial<EntranceOptions>): Promise<RunningApp>;
}

/** Starts the emulator, then the harness's app configured for it. */
export async function startBoth(harness: AdapterHarness): Promise<Running> {
  const emulator = await startEmulator();
  const bases: string[] = [];
  const start = (overrides: Partial<EntranceOptions>) =>
    harness.start((baseUrl) => {
      bases.push(baseUrl);
      const [first = baseUrl] = bases;
      emulator.control.putApp(defaults.contoso, {
        ...emulator.directory.app(defaults.webApp)?.value,
        clientId: defaults.webApp,
        displayName: "Adapter conformance app",
        redirectUris: bases.flatMap((base) => [`${base}/auth/callback`, `${base}/`]),
        // Entra calls one front-channel URL per app registration: the first app's.
        frontchannelLogoutUrl: `${first}/auth/frontchannel-logout`,
      });
      return { ...entranceOptions(emulator, baseUrl), ...overrides };
    });
  try {
    const app = await start({});
    return { emulator, app, base: app.baseUrl, another: start };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/** The suite's Entrance options for the emulator's web app, on `baseUrl`. */
export function entranceOptions(emulator: RunningEmulator, baseUrl: string): EntranceOptions {
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
