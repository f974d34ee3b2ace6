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
