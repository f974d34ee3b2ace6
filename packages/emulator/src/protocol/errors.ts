import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { ErrorFault } from "../http/fault-response.js";

/** An Entra error: the OAuth `error`, the AADSTS number and its text. */
export class EntraError extends Error {
  constructor(
    readonly aadsts: number,
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    readonly suberror?: string,
    /** A claims challenge (JSON) the client must satisfy in its next request, as Entra sends. */
    readonly claims?: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
  }
}

/** Entra's timestamp form: `2026-11-28 18:04:05Z`. */
export function entraTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** The `error_description` text with Entra's trailer of ids. */
export function describe(ctx: EmulatorContext, exchange: Exchange, error: EntraError): string {
  return [
    `AADSTS${error.aadsts}: ${error.description}`,
    `Trace ID: ${exchange.traceId}`,
    `Correlation ID: ${exchange.correlationId}`,
    `Timestamp: ${entraTimestamp(ctx.clock.now())}`,
  ].join("\r\n");
}

/** Sends the JSON body the token endpoint answers errors with. */
export function sendTokenError(ctx: EmulatorContext, exchange: Exchange, error: EntraError): void {
  exchange.sendJson(error.status, {
    error: error.error,
    error_description: describe(ctx, exchange, error),
    error_codes: [error.aadsts],
    timestamp: entraTimestamp(ctx.clock.now()),
    trace_id: exchange.traceId,
    correlation_id: exchange.correlationId,
    error_uri: `${ctx.urls.https}/error?code=${error.aadsts}`,
    ...(error.suberror ? { suberror: error.suberror } : {}),
    ...(error.claims ? { claims: error.claims } : {}),
  });
}

/** The Entra error an `error` fault asks for. */
export function faultError(fault: ErrorFault): EntraError {
  return new EntraError(
    fault.aadsts,
    fault.error,
    fault.description ?? `The emulator answered with a queued ${fault.error} error.`,
    fault.status ?? 400,
    fault.suberror,
    fault.claims,
  );
}

/** The AADSTS errors the emulator produces, by the name of their cause. */
export const errors = {
  missingParameter: (name: string) =>
    new EntraError(
      900144,
      "invalid_request",
      `The request body must contain the following parameter: '${name}'.`,
    ),
  malformed: (detail: string) =>
    new EntraError(
      9002313,
      "invalid_request",
      `Invalid request. Request is malformed or invalid. ${detail}`,
    ),
  appNotFound: (clientId: string, tenant: string) =>
    new EntraError(
      700016,
      "unauthorized_client",
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  redirectMismatch: (redirectUri: string, clientId: string) =>
    new EntraError(
      50011,
      "invalid_request",
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
    ),
  invalidSecret: (clientId: string) =>
    new EntraError(
      7000215,
      "invalid_client",
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      401,
    ),
  missingCredential: () =>
    new EntraError(
      7000218,
      "invalid_client",
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      401,
    ),
  publicClientSecret: () =>
    new EntraError(
      700025,
      "invalid_client",
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
      401,
    ),
  consentRequired: (clientId: string, scopes: readonly string[]) =>
    new EntraError(
      65001,
      "invalid_grant",
      `The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource. Missing: ${scopes.join(" ")}`,
      400,
      "consent_required",
    ),
  invalidScope: (scope: string) =>
    new EntraError(
      70011,
      "invalid_scope",
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    ),
  multipleResources: () =>
    new EntraError(
      28000,
      "invalid_scope",
      "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope is not valid.",
    ),
  resourceNotFound: (resource: string, tenant: string) =>
    new EntraError(
      500011,
      "invalid_resource",
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    ),
  codeRedeemed: () =>
    new EntraError(
      54005,
      "invalid_grant",
      "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    ),
  pkceMismatch: () =>
    new EntraError(
      501481,
      "invalid_grant",
      "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    ),
  expiredGrant: () =>
    new EntraError(
      70008,
      "invalid_grant",
      "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    ),
  refreshInactive: () =>
    new EntraError(
      700082,
      "invalid_grant",
      "The refresh token has expired due to inactivity. The token was issued on a date and was inactive for longer than the allowed lifetime.",
    ),
  refreshRevoked: () =>
    new EntraError(
      50173,
      "invalid_grant",
      "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
    ),
  grantMismatch: (what: string) =>
    new EntraError(70000, "invalid_grant", `The provided value for the '${what}' is not valid.`),
  loginRequired: () =>
    new EntraError(
      50058,
      "login_required",
      "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD.",
    ),
  notMultiTenant: (clientId: string) =>
    new EntraError(
      50194,
      "invalid_request",
      `Application '${clientId}' is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
    ),
  userNotInTenant: (upn: string, tenant: string) =>
    new EntraError(
      50020,
      "invalid_request",
      `User account '${upn}' from identity provider does not exist in tenant '${tenant}' and cannot access the application in that tenant.`,
    ),
  userDisabled: () => new EntraError(50057, "invalid_request", "The user account is disabled."),
  unsupportedGrant: (grant: string) =>
    new EntraError(
      70003,
      "unsupported_grant_type",
      `The app requested an unsupported grant type '${grant}'.`,
    ),
  unsupportedResponseType: (type: string) =>
    new EntraError(
      700054,
      "unsupported_response_type",
      `response_type '${type}' is not enabled for the application.`,
    ),
  noTenant: () =>
    new EntraError(
      50059,
      "invalid_request",
      "No tenant-identifying information found in either the request or implied by any provided credentials. Use a tenant-specific authority (a tenant id or domain) for an app acting as itself.",
    ),
  defaultScopeRequired: (scope: string) =>
    new EntraError(
      1002012,
      "invalid_scope",
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  tenantNotFound: (tenant: string) =>
    new EntraError(
      90002,
      "invalid_tenant",
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    ),
} as const;
