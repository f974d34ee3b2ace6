import { createHash, randomBytes } from "node:crypto";
import { defaults, type RunningEmulator } from "../../src/index.js";
import { type RawResponse, request } from "../../src/testing/index.js";

export const REDIRECT_URI = "http://localhost:3000/auth/callback";

/** An authorize URL for the built-in web app, with PKCE; override any parameter. */
export function authorizeUrl(
  emulator: RunningEmulator,
  overrides: Record<string, string | undefined> = {},
  tenant = "contoso.onmicrosoft.com",
) {
  const verifier = randomBytes(32).toString("base64url");
  const params: Record<string, string | undefined> = {
    client_id: defaults.webApp,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid profile offline_access User.Read",
    state: randomBytes(8).toString("hex"),
    nonce: randomBytes(8).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    ...overrides,
  };
  const url = new URL(`${emulator.urls.http}/${tenant}/oauth2/v2.0/authorize`);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return { url: url.href, verifier, state: params.state };
}

/** Redeems a code at the token endpoint with the built-in app's secret. */
export function redeem(
  emulator: RunningEmulator,
  fields: Record<string, string>,
  tenant = "contoso.onmicrosoft.com",
): Promise<RawResponse> {
  return request(`${emulator.urls.https}/${tenant}/oauth2/v2.0/token`, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: defaults.webApp,
      client_secret: defaults.webAppSecret,
      redirect_uri: REDIRECT_URI,
      scope: "openid profile offline_access User.Read",
      ...fields,
    }),
  });
}

/** Posts to the token endpoint with the built-in app's secret. */
export function tokenRequest(
  emulator: RunningEmulator,
  fields: Record<string, string>,
): Promise<RawResponse> {
  return request(`${emulator.urls.https}/organizations/oauth2/v2.0/token`, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      client_id: defaults.webApp,
      client_secret: defaults.webAppSecret,
      ...fields,
    }),
  });
}

/** The parameters an authorize response carried back to the app (query, fragment). */
export function responseParams(location: string): URLSearchParams {
  const url = new URL(location);
  return url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams;
}
