import { type AdapterGuards, adapterGuards, writeWebResponse } from "@entrance/core";
import type { RequestHandler } from "express";

/** The guards, each Express middleware; `requireBearer` puts the caller on `req.entrance.caller`. */
export type ExpressGuards = AdapterGuards<RequestHandler>;

/** Core's guards as Express middleware: each writes the guard's answer, or calls `next()`. */
export const guards = adapterGuards<RequestHandler>((guard) => (req, res, next) => {
  if (!req.entrance) return next(new Error("Entrance guards need app.use(entrance()) first"));
  const answer = guard(req.entrance);
  if (answer === null) return next();
  if (answer instanceof Response) return void writeWebResponse(res, answer).catch(next);
  answer.then((late) => (late ? writeWebResponse(res, late) : next())).catch(next);
});

/**
 * The standalone guards, as Express middleware: checked against the most recent `entrance()` when
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
