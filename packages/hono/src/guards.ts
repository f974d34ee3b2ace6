import type { Entrance, GuardSpec } from "@entrance/core";
import * as core from "@entrance/core";
import type { MiddlewareHandler } from "hono";
import type { EntranceEnv } from "./middleware.js";

let lastCore: Entrance | undefined;
/** Guards built after `entrance()` are checked against its core at once. */
export const rememberCore = (entrance: Entrance) => {
  lastCore = entrance;
};

/** A core guard as Hono middleware, built once per core; a bad name throws when built. */
function middleware(spec: GuardSpec, bound?: () => Entrance): MiddlewareHandler<EntranceEnv> {
  const guardFor = core.guardPerCore(spec, bound?.() ?? lastCore);
  return async (c, next) => {
    const context = c.get("entrance");
    if (!context) throw new Error("Entrance guards need app.use(entrance()) first");
    const answer = await guardFor(context.core)(context);
    if (answer) return answer;
    await next();
  };
}

/**
 * The guards, each Hono middleware (see core's README for what each requires). A place for
 * `requireBearer` (web API protection) once core offers its guard.
 */
export interface HonoGuards {
  requireAuth(): MiddlewareHandler<EntranceEnv>;
  requireScopes(...scopes: string[]): MiddlewareHandler<EntranceEnv>;
  requireRole(...roles: string[]): MiddlewareHandler<EntranceEnv>;
  requireGroup(...groups: string[]): MiddlewareHandler<EntranceEnv>;
  requirePermission(...names: string[]): MiddlewareHandler<EntranceEnv>;
}

/** Each guard of core as Hono middleware; `bound` ties them to one core. */
export function guardsOf(bound?: () => Entrance): HonoGuards {
  const as = (spec: GuardSpec) => middleware(spec, bound);
  return {
    requireAuth: () => as(core.authGuard()),
    requireScopes: (...scopes: string[]) => as(core.scopesGuard(scopes)),
    requireRole: (...roles: string[]) => as(core.roleGuard(roles)),
    requireGroup: (...groups: string[]) => as(core.groupGuard(groups)),
    requirePermission: (...names: string[]) => as(core.permissionGuard(names)),
  };
}

export const { requireAuth, requireScopes, requireRole, requireGroup, requirePermission } =
  guardsOf();
