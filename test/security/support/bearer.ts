/**
 * What the bearer-token cases need: an Entrance core for the emulator's web app, the emulator's
 * signing key (read from its data folder, where it keeps its keys) to forge tokens with, the
 * claims of a sound access token to break one at a time, and a call of a guarded API route.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createEntrance,
  createMemoryStore,
  type Entrance,
  type EntranceContext,
  type Guard,
  trustCertificateAuthority,
} from "@entrance/core";
import { defaults, type RunningEmulator } from "@entrance/emulator";
import { SignJWT } from "jose";

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

/** The key the emulator signs with now. */
export async function activeSigningKey(
  dataDir: string,
): Promise<{ kid: string; privateKey: KeyObject }> {
  const stored = JSON.parse(await readFile(join(dataDir, "signing-keys.json"), "utf8")) as {
    kid: string;
    privateKeyPem: string;
  }[];
  const active = stored[0];
  if (!active) throw new Error("the emulator keeps no signing key");
  return { kid: active.kid, privateKey: createPrivateKey(active.privateKeyPem) };
}

/** The claims of a v2.0 user token for the web app's API, as the emulator issues them. */
export function userClaims(emulator: RunningEmulator, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: defaults.webApp,
    iss: `${emulator.urls.https}/${defaults.contoso}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    azp: defaults.webApp,
    azpacr: "1",
    oid: defaults.users.admin,
    sub: "pairwise-subject",
    tid: defaults.contoso,
    scp: "Orders.Read",
    idtyp: "user",
    ver: "2.0",
    ...overrides,
  };
}

/** The claims of a v2.0 app-only token (client credentials) for the web app's API. */
export function appClaims(emulator: RunningEmulator, overrides: Record<string, unknown> = {}) {
  const { scp: _scp, idtyp: _idtyp, ...claims } = userClaims(emulator);
  return {
    ...claims,
    oid: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    sub: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    roles: ["Orders.Approve"],
    idtyp: "app",
    ...overrides,
  };
}

/** Signs `claims` as a JWS with `header` (RS256 and the key's id unless overridden). */
export function signToken(
  key: { kid: string; privateKey: KeyObject },
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: key.kid, ...header })
    .sign(key.privateKey);
}

/** Runs a guard on a request to the app's API with this Authorization header (none if null). */
export async function callApi(
  entrance: Entrance,
  guard: Guard,
  authorization: string | null,
): Promise<{ answer: Response | null; context: EntranceContext }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (authorization !== null) headers.authorization = authorization;
  const context = await entrance.context(new Request(`${APP_BASE}/api/orders`, { headers }));
  return { answer: await guard(context), context };
}
