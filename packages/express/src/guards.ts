import type { BearerOptions, Entrance, GuardSpec } from "@entrance/core";
import * as core from "@entrance/core";
import type { RequestHandler } from "express";

let lastCore: Entrance | undefined;
/** Guards built after `entrance()` are checked against its core at once. */
export const rememberCore = (entrance: Entrance) => {
  lastCore = entrance;
};

/** A core guard as middleware, built once per core; a bad name throws when built. */
function middleware(spec: GuardSpec, bound?: () => Entrance): RequestHandler {
  const guardFor = core.guardPerCore(spec, bound?.() ?? lastCore);
  return (req, res, next) => {
    if (!req.entrance) return next(new Error("Entrance guards need app.use(entrance()) first"));
    const answer = guardFor(req.entrance.core)(req.entrance);
    if (answer === null) return next();
    if (answer instanceof Response) return void core.writeWebResponse(res, answer).catch(next);
    answer.then((late) => (late ? core.writeWebResponse(res, late) : next())).catch(next);
  };
}

/** The guards, each Express middleware (see core's README for what each requires). */
export interface ExpressGuards {
  requireAuth(): RequestHandler;
  requireScopes(...scopes: string[]): RequestHandler;
  requireRole(...roles: string[]): RequestHandler;
  requireGroup(...groups: string[]): RequestHandler;
  requirePermission(...names: string[]): RequestHandler;
  /**
   * An Entra access token for this app's API in `Authorization: Bearer`; the caller is then
   * `req.entrance.caller`. See core's README, "Protecting an API".
   */
  requireBearer(options?: BearerOptions): RequestHandler;
}

/** Each guard of core as Express middleware; `bound` ties them to one core. */
export function guardsOf(bound?: () => Entrance): ExpressGuards {
  const as = (spec: GuardSpec) => middleware(spec, bound);
  return {
    requireAuth: () => as(core.authGuard()),
    requireScopes: (...scopes: string[]) => as(core.scopesGuard(scopes)),
    requireRole: (...roles: string[]) => as(core.roleGuard(roles)),
    requireGroup: (...groups: string[]) => as(core.groupGuard(groups)),
    requirePermission: (...names: string[]) => as(core.permissionGuard(names)),
    requireBearer: (options?: BearerOptions) => as(core.bearerGuard(options)),
  };
}

export const {
  requireAuth,
  requireScopes,
  requireRole,
  requireGroup,
  requirePermission,
  requireBearer,
} = guardsOf();
