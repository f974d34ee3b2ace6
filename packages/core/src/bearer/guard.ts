/**
 * The `requireBearer` guard for one core: the Authorization header's token, verified (or found
 * verified), admitted by the route's policy, and put on the request context as `caller`. Every
 * refusal is an answer (401, 403, 503), never a thrown error; the path of a token seen before
 * returns without a promise.
 */
import { attachCaller, type EntranceContext } from "../context.js";
import type { Guard } from "../guards.js";
import type { Logger } from "../options.js";
import type { Caller } from "./caller.js";
import { bearerTokenOf } from "./header.js";
import type { BearerPolicy } from "./policy.js";
import {
  KEYS_UNAVAILABLE,
  MISSING,
  type Refusal,
  refusalResponse,
  refusedToken,
} from "./refusals.js";
import type { BearerValidator, VerifiedToken } from "./validator.js";

const LOG_INTERVAL_MS = 60_000;

/** Which tenants count may need the metadata first (a single tenant configured by domain). */
export interface TrustReadiness {
  readonly known: boolean;
  ready(): Promise<void>;
}

/** The guard of one `requireBearer` route, sharing the core's validator (keys, verified tokens). */
export function buildBearerGuard(
  validator: BearerValidator,
  policy: BearerPolicy,
  trust: TrustReadiness,
  logger: Logger,
): Guard {
  const decide = (context: EntranceContext, verified: VerifiedToken | Refusal) => {
    if (!("caller" in verified)) return answer(verified);
    const admitted: Caller | Refusal = policy.admit(verified);
    if ("reason" in admitted) return answer(admitted);
    attachCaller(context, admitted);
    return null;
  };
  const keeps = (verified: VerifiedToken) => policy.covers(verified);
  let loggedAt = Number.NEGATIVE_INFINITY;
  const answer = (refusal: Refusal) => {
    // Once a minute at most: an outage under traffic must not flood the log.
    if (refusal === KEYS_UNAVAILABLE && Date.now() - loggedAt >= LOG_INTERVAL_MS) {
      loggedAt = Date.now();
      logger.error(
        { event: "bearer_keys_unavailable" },
        "entrance: bearer tokens cannot be checked: the signing keys are unavailable",
      );
    }
    return refusalResponse(refusal);
  };
  return (context) => {
    const token = bearerTokenOf(context.request.headers.get("authorization"));
    if (token === "missing") return answer(MISSING);
    if (token === "malformed" || token === "too_large") return answer(refusedToken(token));
    const verified = validator.verify(token, keeps);
    if (!trust.known) {
      // Until the metadata names the tenant, no tenant's token can be told apart: the provider
      // is unavailable (503, try again), not the caller's token invalid.
      return Promise.all([verified, trust.ready()]).then(([late]) =>
        trust.known || !("caller" in late) ? decide(context, late) : answer(KEYS_UNAVAILABLE),
      );
    }
    if (verified instanceof Promise) return verified.then((late) => decide(context, late));
    return decide(context, verified);
  };
}
