import { type AdapterGuards, adapterGuards } from "@entrance/core";
import type { MiddlewareHandler } from "hono";
import type { EntranceEnv } from "./middleware.js";

/** The guards, each Hono middleware; `requireBearer` puts the caller on `c.get("entrance").caller`. */
export type HonoGuards = AdapterGuards<MiddlewareHandler<EntranceEnv>>;

/**
 * Core's guards as Hono middleware: each answers with the guard's response, or goes on. A guard
 * that decides at once (a signed-in user, a cached session) goes on without a promise of its own.
 */
export const guards = adapterGuards<MiddlewareHandler<EntranceEnv>>((guard) => (c, next) => {
  const context = c.get("entrance");
  if (!context) throw new Error("Entrance guards need app.use(entrance()) first");
  const answer = guard(context);
  if (answer === null) return next().then(nothing);
  if (answer instanceof Response) return Promise.resolve(answer);
  return answer.then((late) => late ?? next().then(nothing));
});

/** What a middleware's promise ends with once the route answered: nothing of its own. */
export const nothing = (): undefined => undefined;

/**
 * The standalone guards, as Hono middleware: checked against the most recent `entrance()` when
 * built after it, else on the first request. `auth.requireRole(…)` (from the middleware) checks
 * at once.
 */
export const {
  requireAuth,
  requireScopes,
  requireRole,
  requireGroup,
  requirePermission,
  requireBearer,
} = guards.standalone;
