import { decodeProtectedHeader, type JWTPayload, errors as joseErrors, jwtVerify } from "jose";
import { isPersonalTenant } from "../config/accounts.js";
import { EntranceError } from "../errors/entrance-error.js";
import type { Metadata } from "./metadata.js";

/** The claims Entrance relies on, after validation. */
export interface IdTokenClaims extends JWTPayload {
  readonly tid: string;
  readonly oid: string;
  readonly sub: string;
  readonly iss: string;
  readonly name?: string;
  readonly preferred_username?: string;
  readonly email?: string;
  readonly sid?: string;
  readonly nonce?: string;
  readonly roles?: string[];
  readonly groups?: string[];
  readonly login_hint?: string;
  /** The home identity provider of a guest (another tenant's issuer, or `live.com`). */
  readonly idp?: string;
  /** Optional claim: 0 for a member of the tenant, 1 for a guest. */
  readonly acct?: number;
  /** Optional claim: the user principal name (`…#EXT#@…` for a guest in the resource tenant). */
  readonly upn?: string;
}

export interface IdTokenExpectations {
  readonly clientId: string;
  readonly nonce: string;
  /** The one tenant id allowed (single-tenant apps), or undefined for multi-tenant. */
  readonly tenantId: string | undefined;
  /** For multi-tenant apps: tenant ids allowed; empty means any organization (not personal accounts). */
  readonly allowedTenants: readonly string[];
  /** Whether personal Microsoft accounts may sign in (`accounts` is `any` or `personal`). */
  readonly personalAccounts: boolean;
  readonly clockSkew: number;
  readonly now?: Date;
  /**
   * Why an issuer of the right tenant is still of the wrong kind of tenant (an External ID issuer
   * at a workforce app, or the reverse), or undefined when it fits: config/external-id.ts.
   */
  readonly issuerKind?: (iss: string, tid: string) => string | undefined;
}

const TENANT_TEMPLATE = "{tenantid}";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function invalid(message: string, cause?: unknown): EntranceError {
  return new EntranceError("id_token_invalid", `The ID token was rejected: ${message}.`, { cause });
}

/**
 * Validates an Entra ID token as the relying-party rules require: RS256 signature by a published
 * key (one JWKS refetch for an unknown kid), audience and authorized party (`azp`), the issuer by
 * the `{tenantid}` rule, the tenant (single tenant or allow-list), times with skew (`iat` included),
 * required claims, and the nonce.
 */
export async function validateIdToken(
  token: string,
  metadata: Metadata,
  expected: IdTokenExpectations,
): Promise<IdTokenClaims> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw invalid("it is not a signed JWT", cause);
  }
  if (header.alg !== "RS256") throw invalid(`its algorithm is ${String(header.alg)}, not RS256`);

  const payload = await verifySignature(token, metadata, expected);
  // B2C's issuer differs by a slash only; its policy claim says plainly what the token is.
  if (typeof payload.tfp === "string") throw invalid("it was issued by an Azure AD B2C policy");

  const { tid, oid, sub, iss, iat } = payload;
  if (typeof tid !== "string" || !GUID.test(tid)) throw invalid("it has no valid tid claim");
  if (typeof oid !== "string" || !oid) throw invalid("it has no oid claim");
  if (typeof sub !== "string" || !sub) throw invalid("it has no sub claim");
  if (typeof iat !== "number") throw invalid("it has no iat claim");
  // jose checks a future iat only together with a maximum age (maxTokenAge), which we do not set.
  const now = Math.floor((expected.now ?? new Date()).getTime() / 1000);
  if (iat > now + expected.clockSkew) throw invalid("it was issued in the future");
  checkAuthorizedParty(payload, expected.clientId);
  const issuer = (await metadata.document()).issuer;
  const expectedIssuer = issuer.replace(TENANT_TEMPLATE, tid);
  if (iss !== expectedIssuer) throw invalid(`its issuer ${String(iss)} is not ${expectedIssuer}`);
  const wrongKind = expected.issuerKind?.(iss, tid);
  if (wrongKind) throw invalid(wrongKind);
  if (expected.tenantId !== undefined && tid !== expected.tenantId) {
    throw invalid(`it was issued in tenant ${tid}, not the expected ${expected.tenantId}`);
  }
  // A personal account is refused unless the app opted in, whatever else lets its tenant in.
  if (isPersonalTenant(tid) && !expected.personalAccounts) {
    throw new EntranceError(
      "tenant_not_allowed",
      "A personal Microsoft account cannot sign in to this app: it accepts work or school " +
        "accounts only (ENTRANCE_ACCOUNTS).",
    );
  }
  const listed = expected.allowedTenants.includes(tid);
  const refused = expected.allowedTenants.length > 0 && !listed;
  if (expected.tenantId === undefined && refused) {
    throw new EntranceError(
      "tenant_not_allowed",
      `Tenant ${tid} is not allowed to sign in to this app.`,
    );
  }
  if (payload.nonce !== expected.nonce)
    throw invalid("its nonce does not match the sign-in request");
  return payload as IdTokenClaims;
}

/**
 * OpenID Connect Core 3.1.3.7: with several audiences the token must name its authorized party,
 * and an `azp` present must be this app — a token obtained by another app is not a sign-in here.
 */
export function checkAuthorizedParty(payload: JWTPayload, clientId: string): void {
  const { aud, azp } = payload;
  const several = Array.isArray(aud) && aud.length > 1;
  if (azp === undefined && !several) return;
  if (azp === undefined) throw invalid("it has several audiences and no azp claim");
  if (azp !== clientId) throw invalid("its authorized party (azp) is another app");
}

export async function verifySignature(
  token: string,
  metadata: Metadata,
  expected: Pick<IdTokenExpectations, "clientId" | "clockSkew" | "now">,
): Promise<JWTPayload> {
  const options = {
    algorithms: ["RS256"],
    audience: expected.clientId,
    clockTolerance: expected.clockSkew,
    requiredClaims: ["exp", "iat", "sub"],
    ...(expected.now ? { currentDate: expected.now } : {}),
  };
  let keys = await metadata.keys();
  for (;;) {
    try {
      return (await jwtVerify(token, keys.getKey, options)).payload;
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey && !keys.refreshed) {
        keys = await metadata.keys(true);
        if (keys.refreshed) continue;
      }
      throw invalid(reason(error), error);
    }
  }
}

function reason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "it has expired";
  if (error instanceof joseErrors.JWKSNoMatchingKey)
    return "it is signed by a key the provider does not publish";
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys)
    return "it names no key id and several keys could match";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return "its signature does not verify";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return `it has no ${error.claim} claim`;
    if (error.claim === "aud") return "it is for another audience";
    if (error.claim === "nbf") return "it is not valid yet";
    if (error.claim === "iat") return "it was issued in the future";
    return `its ${error.claim} claim is wrong or missing`;
  }
  return "it is malformed";
}
