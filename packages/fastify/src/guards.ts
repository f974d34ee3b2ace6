import type { Entrance, GuardSpec } from "@entrance/core";
import * as core from "@entrance/core";
import type { preHandlerHookHandler } from "fastify";
import { sendResponse } from "./reply.js";

let lastCore: Entrance | undefined;
/** Guards built after the plugin is registered are checked against its core at once. */
export const rememberCore = (entrance: Entrance) => {
  lastCore = entrance;
};

/** A core guard as a preHandler, built once per core; a bad name throws when built. */
function preHandler(spec: GuardSpec, bound?: () => Entrance): preHandlerHookHandler {
  const guardFor = core.guardPerCore(spec, bound?.() ?? lastCore);
  return (request, reply, done) => {
    if (!request.entrance) return done(new Error("Entrance guards need the entrance plugin first"));
    const answer = guardFor(request.entrance.core)(request.entrance);
    if (answer === null) return done();
    if (answer instanceof Response) return void sendResponse(reply, answer).catch(done);
    answer.then((late) => {
      if (late) return void sendResponse(reply, late).catch(done);
      done();
    }, done);
  };
}

/**
 * The guards, each a Fastify preHandler (see core's README for what each requires). A place for
 * `requireBearer` (web API protection) once core offers its guard.
 */
export interface FastifyGuards {
  requireAuth(): preHandlerHookHandler;
  requireScopes(...scopes: string[]): preHandlerHookHandler;
  requireRole(...roles: string[]): preHandlerHookHandler;
  requireGroup(...groups: string[]): preHandlerHookHandler;
  requirePermission(...names: string[]): preHandlerHookHandler;
}

/** Each guard of core as a preHandler; `bound` ties them to one core. */
export function guardsOf(bound?: () => Entrance): FastifyGuards {
  const as = (spec: GuardSpec) => preHandler(spec, bound);
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
