import type { Fault } from "../control/faults.js";

/**
 * The answer Graph gives when continuous access evaluation revokes a token: 401 with
 * `error="insufficient_claims"` and the claims the next token must satisfy (base64 JSON). Queue it
 * with `control.queueFault("graph", claimsChallenge(...))`.
 *
 * @example
 * emulator.control.queueFault("graph", claimsChallenge(emulator.urls.http));
 */
export function claimsChallenge(
  authorizeBase: string,
  claims: object = { access_token: { nbf: { essential: true, value: "1604106651" } } },
): Fault {
  const encoded = Buffer.from(JSON.stringify(claims)).toString("base64");
  return {
    kind: "status",
    status: 401,
    body: {
      error: {
        code: "InvalidAuthenticationToken",
        message: "Continuous access evaluation resulted in challenge",
      },
    },
    headers: {
      "www-authenticate": `Bearer realm="", authorization_uri="${authorizeBase}/common/oauth2/authorize", error="insufficient_claims", claims="${encoded}"`,
    },
  };
}

/** Graph's throttling answer: 429 with Retry-After (seconds). */
export function throttled(retryAfterSeconds = 1): Fault {
  return {
    kind: "status",
    status: 429,
    headers: { "retry-after": String(retryAfterSeconds) },
    body: { error: { code: "TooManyRequests", message: "Too many requests; retry later." } },
  };
}

/**
 * A token-endpoint answer that demands interaction (AADSTS50076, multi-factor authentication)
 * with a claims challenge, as Entra gives a middle tier's on-behalf-of request under Conditional
 * Access. Queue it for one app: `control.queueFault("token", interactionRequired(), 1, { clientId })`.
 */
export function interactionRequired(
  claims: object = {
    access_token: {
      capolids: { essential: true, values: ["c3e5a7b9-0000-4000-8000-00000000ca01"] },
    },
  },
): Fault {
  return {
    kind: "error",
    error: "interaction_required",
    aadsts: 50076,
    description:
      "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
    suberror: "basic_action",
    claims: JSON.stringify(claims),
  };
}

/** A token-endpoint answer saying the user has not consented (AADSTS65001, `consent_required`). */
export function consentRequired(): Fault {
  return {
    kind: "error",
    error: "invalid_grant",
    aadsts: 65001,
    description:
      "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.",
    suberror: "consent_required",
  };
}
