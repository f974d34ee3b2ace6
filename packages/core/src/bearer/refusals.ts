/**
 * Every way `requireBearer` says no, each with its status, error code, a stable `reason`, and a
 * description that never repeats anything of the token (it goes into a header, a body and maybe
 * a client's log). The answer follows RFC 6750 §3: `WWW-Authenticate: Bearer` with `error`,
 * `error_description` and, for a missing scope, `scope`.
 */
import type { EntranceErrorCode } from "../errors/entrance-error.js";

/** Why a bearer token was refused; `reason` in the JSON body. */
export type RefusalReason =
  | "missing"
  | "malformed"
  | "too_large"
  | "algorithm"
  | "key_unknown"
  | "signature"
  | "claims"
  | "expired"
  | "not_yet_valid"
  | "issuer"
  | "audience"
  | "version"
  | "tenant"
  | "policy"
  | "caller_kind"
  | "scope"
  | "role"
  | "keys_unavailable";

/** A refusal, ready to be answered. */
export interface Refusal {
  readonly status: 401 | 403 | 503;
  readonly code: EntranceErrorCode;
  readonly reason: RefusalReason;
  readonly description: string;
  /** For `scope` and `role`: what the route requires, space-separated (RFC 6750 `scope`). */
  readonly scope?: string;
}

/** The reasons of a 401 `invalid_token`, each with its one description. */
type InvalidReason = Exclude<
  RefusalReason,
  "missing" | "version" | "caller_kind" | "scope" | "role" | "keys_unavailable"
>;

const INVALID: Readonly<Record<InvalidReason, string>> = {
  malformed: "The Authorization header does not hold one bearer token in JWT form.",
  too_large: "The Authorization header is too large.",
  algorithm: "The token is not signed with RS256.",
  key_unknown: "The token is signed with a key the identity provider does not publish.",
  signature: "The token signature does not verify.",
  claims:
    "The token is not an Entra access token: a claim is missing or of the wrong form (tid, oid, sub, ver, iat, exp, aud, azp or appid, scp or roles), or it is an ID token.",
  expired: "The token has expired.",
  not_yet_valid: "The token is not valid yet.",
  issuer: "The token was not issued by the identity provider for its tenant.",
  audience: "The token is for another audience.",
  tenant: "The token was issued by a tenant this API does not accept.",
  policy: "The token was issued by a B2C policy this app is not configured with.",
};

/** Made once: a refusal allocates nothing per request. */
const REFUSED = Object.fromEntries(
  Object.entries(INVALID).map(([reason, description]) => [
    reason,
    invalid(reason as InvalidReason, description),
  ]),
) as Readonly<Record<InvalidReason, Refusal>>;

/** A 401 `invalid_token` refusal for a token that broke a rule. */
export function refusedToken(reason: InvalidReason): Refusal {
  return REFUSED[reason];
}

function invalid(reason: RefusalReason, description: string): Refusal {
  return Object.freeze({ status: 401, code: "bearer_token_invalid", reason, description });
}

/** No bearer token was sent (or another scheme was): 401 with a bare `Bearer` challenge. */
export const MISSING: Refusal = Object.freeze({
  status: 401,
  code: "bearer_token_missing",
  reason: "missing",
  description: "This API needs a bearer token.",
});

/** The signing keys cannot be had now: 503, try again shortly. */
export const KEYS_UNAVAILABLE: Refusal = Object.freeze({
  status: 503,
  code: "signing_keys_unavailable",
  reason: "keys_unavailable",
  description: "The identity provider's signing keys cannot be read now; try again shortly.",
});

/** The token's version is not one the route accepts, with what the app registration sets. */
export function wrongVersion(accepted: readonly (1 | 2)[]): Refusal {
  const versions = accepted.map((v) => `${v}.0`).join(" and ");
  return invalid(
    "version",
    `This API accepts access tokens of version ${versions} only; the app registration's accessTokenAcceptedVersion sets which version Entra issues.`,
  );
}

/** A valid token without what the route requires: 403 `insufficient_scope`. */
export function insufficient(
  reason: "caller_kind" | "scope" | "role",
  description: string,
  scope?: string,
): Refusal {
  return Object.freeze({
    status: 403,
    code: "bearer_insufficient_scope",
    reason,
    description,
    ...(scope ? { scope } : {}),
  });
}

const NO_STORE = "no-store";

/** The answer to a refusal: RFC 6750's challenge and a JSON body with the code and reason. */
export function refusalResponse(refusal: Refusal): Response {
  const headers: Record<string, string> = { "cache-control": NO_STORE };
  if (refusal.status === 503) headers["retry-after"] = "5";
  else if (refusal.reason === "missing") headers["www-authenticate"] = "Bearer";
  else {
    const error = refusal.status === 403 ? "insufficient_scope" : "invalid_token";
    const scope = refusal.scope ? `, scope="${refusal.scope}"` : "";
    headers["www-authenticate"] =
      `Bearer error="${error}", error_description="${refusal.description}"${scope}`;
  }
  return Response.json(
    {
      error: refusal.code,
      reason: refusal.reason,
      message: refusal.description,
      ...(refusal.scope ? { scope: refusal.scope } : {}),
    },
    { status: refusal.status, headers },
  );
}
