/**
 * What Azure AD B2C shares across its endpoints: a policy found from the path
 * (`/{tenant}.onmicrosoft.com/{policy}/…`), its error form (`AADB2C{code}: text`, with a
 * correlation id and a timestamp, as B2C writes it), its ID token claims and its signing keys.
 */
import { type JWTPayload, SignJWT } from "jose";
import type { AppRegistration, B2cSettings, Tenant, User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import { isCustomPolicy } from "../pki/policy-keys.js";
import type { SigningKeys } from "../pki/signing-keys.js";
import { servedCiamHost } from "./ciam-hosts.js";
import { entraTimestamp } from "./errors.js";

/** A tenant's user flow, as the path names it. */
export interface PolicyRef {
  readonly tenant: Tenant;
  readonly settings: B2cSettings;
  /** The flow's name as the tenant writes it (`B2C_1_signupsignin`), whatever the path's case. */
  readonly name: string;
  readonly type: "signUpSignIn" | "passwordReset" | "profileEdit";
}

/** The B2C tenant (by domain or id) and policy a path names; undefined when either is unknown. */
export function resolvePolicy(
  ctx: EmulatorContext,
  tenantSegment: string,
  policySegment: string,
): PolicyRef | undefined {
  // A ciamlogin.com host serves its External ID tenant only (protocol/ciam-hosts.ts).
  if (servedCiamHost()) return undefined;
  const tenant = ctx.directory.tenant(tenantSegment);
  if (tenant?.kind !== "b2c" || !tenant.b2c) return undefined;
  const wanted = policySegment.toLowerCase();
  const flow = tenant.b2c.userFlows.find((f) => f.name.toLowerCase() === wanted);
  return flow ? { tenant, settings: tenant.b2c, name: flow.name, type: flow.type } : undefined;
}

/** A scope of an API registered in a B2C tenant, and the API's client id. */
export interface B2cApiScope {
  readonly api: string;
  readonly name: string;
}

/**
 * The API scope `scope` names in `tenant`, or undefined: B2C writes an API's scopes under its App
 * ID URI, here `https://{tenant domain}/{client id}/{scope}` (the form the portal offers first),
 * and the API must expose that scope.
 */
export function b2cApiScope(tenant: Tenant, scope: string): B2cApiScope | undefined {
  const match = /^https:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(scope);
  if (!match || match[1]?.toLowerCase() !== tenant.domain) return undefined;
  const api = tenant.apps.find((app) => app.clientId === match[2]?.toLowerCase());
  const name = match[3] ?? "";
  return api?.exposedScopes.includes(name) ? { api: api.clientId, name } : undefined;
}

/**
 * Scopes B2C accepts here: OpenID Connect's, the app's own client id (a token for itself), and
 * scopes an API of the tenant exposes (`https://{tenant domain}/{client id}/{scope}`).
 */
export function isB2cScope(scope: string, app: AppRegistration, policy: PolicyRef): boolean {
  return (
    ["openid", "offline_access", "profile", "email"].includes(scope) ||
    scope === app.clientId ||
    b2cApiScope(policy.tenant, scope) !== undefined
  );
}

/** How a pending authorization remembers its policy: `b2c:{tenant id}/{policy}`. */
export function pendingAuthority(policy: PolicyRef): string {
  return `b2c:${policy.tenant.id}/${policy.name}`;
}

/** The policy of a pending authorization, or undefined for a workforce one. */
export function policyOfPending(ctx: EmulatorContext, authority: string): PolicyRef | undefined {
  const match = /^b2c:([^/]+)\/(.+)$/.exec(authority);
  return match ? resolvePolicy(ctx, match[1] ?? "", match[2] ?? "") : undefined;
}

/** A B2C error: the OAuth `error` and `AADB2C{code}: text`. */
export class B2cError extends Error {
  constructor(
    readonly code: number,
    readonly error: string,
    readonly text: string,
    readonly status = 400,
  ) {
    super(`AADB2C${code}: ${text}`);
  }
}

export const b2cErrors = {
  forgotPassword: () =>
    new B2cError(90118, "access_denied", "The user has forgotten their password."),
  cancelled: () =>
    new B2cError(
      90091,
      "access_denied",
      "The user has cancelled entering self-asserted information.",
    ),
  scopeNotSupported: (scope: string) =>
    new B2cError(
      90117,
      "invalid_request",
      `The scope '${scope}' provided in the request is not supported.`,
    ),
  wrongPolicy: (actual: string, expected: string) =>
    new B2cError(
      90088,
      "invalid_grant",
      `The provided grant has not been issued for this endpoint. Actual Value : ${actual} and Expected Value : ${expected}`,
    ),
};

/** `error_description` as B2C writes it. */
export function b2cDescription(ctx: EmulatorContext, exchange: Exchange, error: B2cError): string {
  return [
    error.message,
    `Correlation ID: ${exchange.correlationId}`,
    `Timestamp: ${entraTimestamp(ctx.clock.now())}`,
  ].join("\r\n");
}

/** The issuer of a B2C tenant's tokens: its id on the emulator's https origin, with B2C's `/`. */
export function b2cIssuer(ctx: EmulatorContext, tenant: Tenant): string {
  return `${ctx.urls.https}/${tenant.id}/v2.0/`;
}

/**
 * The keys a policy signs with and publishes: the emulator's own (the tenant's user flows share
 * one token signing key), or, for a custom policy (`B2C_1A_…`), the policy's own key, which no
 * other policy's JWKS carries.
 */
export function b2cSigningKeys(ctx: EmulatorContext, policy: PolicyRef): Promise<SigningKeys> {
  return isCustomPolicy(policy.name)
    ? ctx.policyKeys.of(policy.tenant.id, policy.name)
    : Promise.resolve(ctx.keys);
}

/** A token of this policy, signed with its active key (RS256, `kid` and `x5t` the thumbprint). */
export async function signB2c(
  ctx: EmulatorContext,
  policy: PolicyRef,
  claims: JWTPayload,
): Promise<string> {
  const key = (await b2cSigningKeys(ctx, policy)).active;
  return new SignJWT(claims)
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: key.kid, x5t: key.kid })
    .sign(key.privateKey);
}

/**
 * The claims a B2C policy puts in its tokens: `sub` is the user's object id (the user flows'
 * default subject), the policy in `tfp` or `acr` (the tenant's setting), `emails` an array,
 * `newUser` only right after a sign-up. `oid` and `tid` are sent as when the user flow's
 * "User's Object ID" application claim is selected.
 */
export function b2cUserClaims(
  policy: PolicyRef,
  user: User,
  options: { readonly newUser: boolean; readonly authTime: number },
): JWTPayload {
  return {
    sub: user.id,
    oid: user.id,
    tid: policy.tenant.id,
    [policy.settings.policyClaim]: policy.name,
    auth_time: options.authTime,
    name: user.displayName,
    ...(user.givenName ? { given_name: user.givenName } : {}),
    ...(user.surname ? { family_name: user.surname } : {}),
    ...(user.mail ? { emails: [user.mail] } : {}),
    ...(user.idp ? { idp: user.idp } : {}),
    ...(options.newUser ? { newUser: true } : {}),
  };
}
