/**
 * `grant_type=client_credentials` at a B2C policy's token endpoint: an app's token for an API of
 * the tenant, as Microsoft's "Set up OAuth 2.0 client credentials flow in Azure Active Directory
 * B2C" describes it. Any policy's endpoint answers; the scope is the API's App ID URI and
 * `/.default` (`https://{tenant domain}/{api client id}/.default`); the token says `aud` the API,
 * `sub` the calling app's service principal, `azp` the calling app and — unlike Entra ID's app
 * tokens — `scp` the application permissions granted (its app roles' values), with no `roles`.
 * Like B2C's other tokens it is `ver` "1.0", names the policy (`tfp` or `acr`), and has the policy
 * document's issuer.
 */
import type { AppRegistration } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import { opaque, servicePrincipalId } from "../ids.js";
import { B2cError, b2cErrors, b2cIssuer, type PolicyRef, signB2c } from "./b2c-policy.js";
import { type Client, requireConfidential } from "./client-auth.js";
import { EntraError } from "./errors.js";

/** The API a client-credentials scope names in the policy's tenant, or undefined. */
function apiOfDefault(policy: PolicyRef, scope: string): AppRegistration | undefined {
  const match = /^https:\/\/([^/]+)\/([^/]+)\/\.default$/.exec(scope);
  if (!match || match[1]?.toLowerCase() !== policy.tenant.domain) return undefined;
  return policy.tenant.apps.find((app) => app.clientId === match[2]?.toLowerCase());
}

/** The token response for `caller` (authenticated, registered in the tenant) acting as itself. */
export async function b2cClientCredentials(
  ctx: EmulatorContext,
  policy: PolicyRef,
  caller: Client,
  form: URLSearchParams,
): Promise<Record<string, string | number>> {
  // An app acts as itself with a credential only: a public client has none to show.
  try {
    requireConfidential(caller);
  } catch (error) {
    if (error instanceof EntraError)
      throw new B2cError(90081, error.error, error.description, error.status);
    throw error;
  }
  const client = caller.app;
  const scopes = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
  if (scopes.length === 0) {
    throw new B2cError(
      90014,
      "invalid_request",
      "The claim type 'scope', required by the client credentials flow, is missing.",
    );
  }
  // One resource per token, named by its `/.default`: any other scope is not one B2C takes here.
  const apis = scopes.map((scope) => {
    const api = apiOfDefault(policy, scope);
    if (!api) throw b2cErrors.scopeNotSupported(scope);
    return api;
  });
  const api = apis[0] as AppRegistration;
  const other = apis.find((candidate) => candidate.clientId !== api.clientId);
  if (other) throw b2cErrors.scopeNotSupported(scopes[apis.indexOf(other)] ?? "");
  // The schema keeps these to the API's app roles that applications may hold.
  const granted = client.applicationPermissions[api.clientId] ?? [];
  const now = ctx.clock.seconds();
  const expires = now + ctx.lifetimes.accessToken;
  // Signed as the policy signs: a custom policy with its own key.
  const token = await signB2c(ctx, policy, {
    ver: "1.0",
    iss: b2cIssuer(ctx, policy.tenant),
    aud: api.clientId,
    sub: servicePrincipalId(policy.tenant.id, client.clientId),
    azp: client.clientId,
    [policy.settings.policyClaim]: policy.name,
    ...(granted.length ? { scp: granted.join(" ") } : {}),
    iat: now,
    nbf: now,
    exp: expires,
    uti: opaque(16),
  });
  return {
    access_token: token,
    token_type: "Bearer",
    not_before: now,
    expires_in: ctx.lifetimes.accessToken,
    expires_on: expires,
    resource: api.clientId,
  };
}
