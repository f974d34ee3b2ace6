/**
 * The core the bearer-token cases guard their API with. The forging helpers (the emulator's
 * signing key, sound claims to break one at a time, a call of a guarded route) are core's test
 * support, shared with its own bearer tests.
 */
import {
  createEntrance,
  createMemoryStore,
  type Entrance,
  trustCertificateAuthority,
} from "@entrance/core";
import { defaults, type RunningEmulator } from "@entrance/emulator";

const APP_BASE = "http://localhost:3000";

/** A core for the built-in web app, multi-tenant, trusting only its home tenant (Contoso). */
export function apiCore(emulator: RunningEmulator): Entrance {
  return createEntrance({
    tenantId: "organizations",
    clientId: defaults.webApp,
    clientSecret: defaults.webAppSecret,
    authorityHost: emulator.urls.https,
    baseUrl: APP_BASE,
    secrets: ["security-suite-secret-security-suite-secret"],
    trust: trustCertificateAuthority(emulator.caCertPem),
    env: {},
    store: createMemoryStore(),
    logger: { warn: () => {}, error: () => {} },
    authorization: { trustedTenants: [defaults.contoso] },
  });
}
