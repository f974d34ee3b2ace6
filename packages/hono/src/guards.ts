import { type AdapterGuards, adapterGuards } from "@entrance/core";
import type { MiddlewareHandler } from "hono";
import type { EntranceEnv } from "./middleware.js";

/** The guards, each Hono middleware; `requireBearer` puts the caller on `c.get("entrance").caller`. */
export type HonoGuards = AdapterGuards<MiddlewareHandler<EntranceEnv>>;

/** Core's guards as Hono middleware: each answers with the guard's response, or goes on. */
export const guards = adapterGuards<MiddlewareHandler<EntranceEnv>>((guard) => async (c, next) => {
  const context = c.get("entrance");
  if (!context) throw new Error("Entrance guards need app.use(entrance()) first");
  const answer = await guard(context);
  if (answer) return answer;
  await next();
});

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
