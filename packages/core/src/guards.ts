/**
 * Guards: what a route requires, decided per request as `Response | null` — null lets the request
 * through, a Response answers it (sign in first, 403, consent, an error). Each adapter turns a
 * guard into its framework's idiom (Express middleware, a Fastify preHandler, …).
 */
import type { Requirement } from "./authz/requirements.js";
import { type BearerOptions, checkBearerOptions } from "./bearer/policy.js";
import type { EntranceContext } from "./context.js";
import type { Entrance } from "./entrance.js";

/**
 * A guard built for one core: its names were checked against that core's configuration. It
 * answers at once when it can (not signed in, or nothing to look up), else with a promise.
 */
export type Guard = (context: EntranceContext) => Response | null | Promise<Response | null>;

/**
 * A guard spec for whichever core a request arrives through, built once per core: what each
 * adapter's guard wrapper asks for. `now`, when given, builds it at once, so that a bad name
 * throws at start-up rather than on the first request.
 */
export function guardPerCore(spec: GuardSpec, now?: Entrance): (entrance: Entrance) => Guard {
  const built = new WeakMap<Entrance, Guard>();
  const guardFor = (entrance: Entrance) => {
    let guard = built.get(entrance);
    if (!guard) {
      guard = entrance.guard(spec);
      built.set(entrance, guard);
    }
    return guard;
  };
  if (now) guardFor(now);
  return guardFor;
}

/** What a guard requires, before it is built for a core. */
export type GuardSpec =
  | { readonly kind: "auth" }
  | { readonly kind: "scopes"; readonly scopes: readonly string[] }
  | { readonly kind: "requirement"; readonly requirement: Requirement }
  | { readonly kind: "bearer"; readonly options: BearerOptions };

/** Lets signed-in users through. */
export function authGuard(): GuardSpec {
  return Object.freeze({ kind: "auth" });
}

/** Lets through signed-in users whose token for `scopes` can be had (else consent and back). */
export function scopesGuard(scopes: readonly string[]): GuardSpec {
  return Object.freeze({ kind: "scopes", scopes: Object.freeze(names("requireScopes", scopes)) });
}

/** Lets through users holding any of these app roles. */
export function roleGuard(roles: readonly string[]): GuardSpec {
  return requirementGuard({ roles: names("requireRole", roles) });
}

/** Lets through members of any of these groups (object ids, or names from `authorization.groups`). */
export function groupGuard(groups: readonly string[]): GuardSpec {
  return requirementGuard({ groups: names("requireGroup", groups) });
}

/** Lets through users granted any of these permissions (`authorization.permissions`). */
export function permissionGuard(permissions: readonly string[]): GuardSpec {
  return requirementGuard({ permissions: names("requirePermission", permissions) });
}

/**
 * Lets through requests with a valid Entra access token for this app's API (RFC 6750 bearer):
 * signature, issuer, tenant, audience, times, then the route's scopes or app roles. The caller is
 * then on the context as `caller`; any refusal is a 401, 403 or 503 with a `WWW-Authenticate`
 * challenge and a JSON body. Options are checked now: a bad one throws a TypeError.
 *
 * @example
 * const guard = entrance.guard(bearerGuard({ scopes: ["Orders.Read"] }));
 */
export function bearerGuard(options: BearerOptions = {}): GuardSpec {
  return Object.freeze({ kind: "bearer", options: checkBearerOptions(options) });
}

function requirementGuard(requirement: Requirement): GuardSpec {
  return Object.freeze({ kind: "requirement", requirement: Object.freeze(requirement) });
}

/** At least one name, each a non-empty string: a guard that requires nothing is a mistake. */
function names(guard: string, values: readonly unknown[]): string[] {
  if (values.length === 0) throw new TypeError(`${guard}() needs at least one name`);
  for (const value of values) {
    if (typeof value !== "string" || value.trim() === "") {
      throw new TypeError(`${guard}() takes non-empty strings, got ${JSON.stringify(value)}`);
    }
  }
  return [...(values as string[])];
}
