/**
 * Whether what Entrance depends on answers, with how long each took: for a load balancer's probe
 * or an operator's dashboard. Each check is bounded, so a probe never hangs on a dead store.
 */
import { randomBytes } from "node:crypto";
import { findEntranceError } from "./errors/entrance-error.js";
import type { Runtime } from "./runtime.js";

/** One dependency's answer: whether it answered, how long it took, and if not, the error code. */
export interface HealthCheck {
  readonly ok: boolean;
  readonly ms: number;
  /** An Entrance error code (`store_unavailable`, …); never a driver's message. */
  readonly error?: string;
}

/**
 * `pass`: everything answers. `warn`: the stores answer and the identity provider does not —
 * signed-in users are still served, new sign-ins fail. `fail`: a store does not answer.
 */
export type HealthStatus = "pass" | "warn" | "fail";

export interface Health {
  /** True when every check is. */
  readonly ok: boolean;
  /** What a load balancer acts on; see {@link HealthStatus}. */
  readonly status: HealthStatus;
  readonly checks: {
    /** Sessions, login transactions, token partitions, locks (a read of a session). */
    readonly sessionStore: HealthCheck;
    /** Users and the audit log (a read of a user). */
    readonly directoryStore: HealthCheck;
    /**
     * The authority's discovery document, fetched now (at most every 10 s per core: a probe
     * every second from each of many load balancers must not become traffic to Entra).
     */
    readonly identityProvider: HealthCheck;
  };
}

/** How long one answer of the identity provider stands for the next probes. */
const PROVIDER_CHECK_REUSE_MS = 10_000;
/** How long a probe waits for the identity provider. */
const PROVIDER_TIMEOUT_MS = 5_000;

const lastProviderCheck = new WeakMap<Runtime, { at: number; check: Promise<HealthCheck> }>();

/** Runs the checks at once; each takes at most the store timeout (the identity provider: 5 s). */
export async function checkHealth(rt: Runtime): Promise<Health> {
  // Keys nobody has: a read that finds nothing, which every store answers quickly.
  const absent = randomBytes(16).toString("base64url");
  const [sessionStore, directoryStore, identityProvider] = await Promise.all([
    timed(() => rt.store.sessions.get(`health-${absent}`)),
    timed(() => rt.store.users.get("health", absent)),
    providerCheck(rt),
  ]);
  const storesOk = sessionStore.ok && directoryStore.ok;
  return {
    ok: storesOk && identityProvider.ok,
    status: !storesOk ? "fail" : identityProvider.ok ? "pass" : "warn",
    checks: { sessionStore, directoryStore, identityProvider },
  };
}

/** The identity provider's answer, shared by probes within {@link PROVIDER_CHECK_REUSE_MS}. */
function providerCheck(rt: Runtime): Promise<HealthCheck> {
  const now = Date.now();
  const last = lastProviderCheck.get(rt);
  if (last && now - last.at < PROVIDER_CHECK_REUSE_MS) return last.check;
  const check = timed(
    () => rt.probeIdentityProvider(PROVIDER_TIMEOUT_MS),
    "identity_provider_unavailable",
  );
  lastProviderCheck.set(rt, { at: now, check });
  return check;
}

/**
 * The health as JSON for a load balancer: 200 for `pass` and `warn`, 503 for `fail`. The
 * identity provider alone does not fail the probe: it is the same for every instance, so taking
 * them all out of rotation would turn "new sign-ins fail" into "nothing is served". Never cached;
 * it carries codes and timings only, no configuration, secret or message.
 */
export function healthResponse(health: Health): Response {
  return Response.json(health, {
    status: health.status === "fail" ? 503 : 200,
    headers: { "cache-control": "no-store", "x-content-type-options": "nosniff" },
  });
}

async function timed(check: () => Promise<unknown>, code = "store_failed"): Promise<HealthCheck> {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    await check();
    return { ok: true, ms: ms() };
  } catch (error) {
    return { ok: false, ms: ms(), error: findEntranceError(error)?.code ?? code };
  }
}
