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

export interface Health {
  /** True when every check is. */
  readonly ok: boolean;
  readonly checks: {
    /** Sessions, login transactions, token partitions, locks (a read of a session). */
    readonly sessionStore: HealthCheck;
    /** Users and the audit log (a read of a user). */
    readonly directoryStore: HealthCheck;
    /** The authority's discovery document, fetched or already held. */
    readonly identityProvider: HealthCheck;
  };
}

/** Runs the checks at once; each takes at most the store timeout (the identity provider: 5 s). */
export async function checkHealth(rt: Runtime): Promise<Health> {
  // Keys nobody has: a read that finds nothing, which every store answers quickly.
  const absent = randomBytes(16).toString("base64url");
  const [sessionStore, directoryStore, identityProvider] = await Promise.all([
    timed(() => rt.store.sessions.get(`health-${absent}`)),
    timed(() => rt.store.users.get("health", absent)),
    timed(async () => {
      if (!(await rt.metadata.documentWithin(5000))) throw new Error("unavailable");
    }, "identity_provider_unavailable"),
  ]);
  return {
    ok: sessionStore.ok && directoryStore.ok && identityProvider.ok,
    checks: { sessionStore, directoryStore, identityProvider },
  };
}

/** The health as JSON: 200 when everything answers, else 503; never cached. */
export function healthResponse(health: Health): Response {
  return Response.json(health, {
    status: health.ok ? 200 : 503,
    headers: { "cache-control": "no-store" },
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
