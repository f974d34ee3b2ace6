import { defaults } from "../config/default-directory.js";
import type { RunningEmulator } from "../emulator.js";
import { request } from "./http-client.js";

export interface AppTokenOptions {
  /** Default: the built-in daemon app (and its secret). */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** A client assertion (certificate credential) instead of the secret. */
  readonly clientAssertion?: string;
  /** The `{resource}/.default` scope; default the built-in web app's API. */
  readonly scope?: string;
  /** Tenant GUID or domain; default contoso. */
  readonly tenant?: string;
}

/**
 * An app-only access token from the client credentials grant, over HTTP as any client would ask.
 * By default the built-in daemon's token for the built-in web app's API (`roles:
 * ["Orders.Read.All"]`). Throws with Entra's description when the emulator refuses.
 *
 * @example
 * const { accessToken } = await clientCredentialsToken(emulator); // aud: defaults.webApp, idtyp: app
 */
export async function clientCredentialsToken(
  emulator: RunningEmulator,
  options: AppTokenOptions = {},
): Promise<{ readonly accessToken: string; readonly expiresIn: number }> {
  const clientId = options.clientId ?? defaults.daemonApp;
  const credential: Record<string, string> = options.clientAssertion
    ? {
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: options.clientAssertion,
      }
    : { client_secret: options.clientSecret ?? defaults.daemonSecret };
  const tenant = options.tenant ?? defaults.contoso;
  const res = await request(`${emulator.urls.https}/${tenant}/oauth2/v2.0/token`, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      scope: options.scope ?? `api://${defaults.webApp}/.default`,
      ...credential,
    }),
  });
  const body = res.json<{
    access_token?: string;
    expires_in?: number;
    error_description?: string;
  }>();
  if (res.status !== 200 || !body.access_token) {
    throw new Error(`client credentials request failed: ${body.error_description ?? res.status}`);
  }
  return { accessToken: body.access_token, expiresIn: body.expires_in ?? 0 };
}
