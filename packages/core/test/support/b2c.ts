/** What the B2C bearer tests share: extra policies, a customer's real token, forged claims. */
import {
  type DirectoryInput,
  defaultDirectory,
  defaults,
  type RunningEmulator,
} from "@entrance/emulator";
import { openB2cPage, submitB2cForm } from "@entrance/emulator/testing";
import { decodeJwt } from "jose";
import { expect } from "vitest";
import type { Entrance } from "../../src/index.js";
import { browse, CookieJar } from "./emulated.js";

const B2C = defaults.b2c;

/** The default directory, its B2C tenant with these sign-up/sign-in policies too. */
export function withB2cPolicies(names: readonly string[]): DirectoryInput {
  return {
    ...defaultDirectory,
    tenants: defaultDirectory.tenants.map((tenant) =>
      tenant.id === B2C.tenant && tenant.b2c
        ? {
            ...tenant,
            b2c: {
              ...tenant.b2c,
              userFlows: [
                ...tenant.b2c.userFlows,
                ...names.map((name) => ({ name, type: "signUpSignIn" as const })),
              ],
            },
          }
        : tenant,
    ),
  };
}

/**
 * A customer's real access token for `scope`, signed in through the emulator's pages by `client`
 * (an app of the B2C tenant whose sign-up/sign-in policy is the one wanted).
 */
export async function customerToken(
  emulator: RunningEmulator,
  client: Entrance,
  scope: string,
): Promise<string> {
  const jar = new CookieJar();
  const started = await browse(client, jar, "/auth/login?returnTo=%2F");
  const url = started.headers.get("location") ?? "";
  const page = await openB2cPage(emulator, url);
  const back = await submitB2cForm(emulator, page, url, {
    email: B2C.customerEmail,
    password: B2C.customerPassword,
  });
  expect((await browse(client, jar, back.location ?? "")).status).toBe(302);
  const user = { tenantId: B2C.tenant, objectId: B2C.customer };
  return (await client.getAccessToken(user, [scope])).token;
}

/** Sound B2C access-token claims, as the emulator's user flows issue them, to break one at a time. */
export function b2cAccessClaims(
  emulator: RunningEmulator,
  overrides: Record<string, unknown> = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: `${emulator.urls.https}/${B2C.tenant}/v2.0/`,
    exp: now + 3600,
    nbf: now,
    iat: now,
    aud: B2C.webApp,
    oid: B2C.customer,
    sub: B2C.customer,
    tfp: B2C.signUpSignIn,
    scp: "Orders.Read",
    azp: B2C.webApp,
    ver: "1.0",
    ...overrides,
  };
}

/** `token` with claims changed, its header and signature kept (as a forger without the key would). */
export function rewritten(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const body = Buffer.from(JSON.stringify({ ...decodeJwt(token), ...changes })).toString(
    "base64url",
  );
  expect(body).not.toBe(payload);
  return `${header}.${body}.${signature}`;
}
