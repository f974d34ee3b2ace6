import type { Entrance, EntranceContext, GuardSpec } from "@entrance/core";
import * as core from "@entrance/core";

/** A route handler behind a guard: Next's arguments, then the request's Entrance context. */
export type GuardedHandler<C> = (
  request: Request,
  context: C,
  entrance: EntranceContext,
) => Response | Promise<Response>;

/** The guarded handler as Next calls it. */
export type Guarded<C> = (request: Request, context: C) => Promise<Response>;

/**
 * The guards, each wrapping a route handler (see core's README for what each requires). A request
 * that fails one gets core's answer (sign in and back, 401 JSON for an API call, a 403, consent);
 * an Entrance error thrown by the handler gets core's answer too (consent and back, "sign in
 * again", its documented status).
 */
export interface RouteGuards {
  requireAuth<C>(handler: GuardedHandler<C>): Guarded<C>;
  requireScopes<C>(scopes: readonly string[], handler: GuardedHandler<C>): Guarded<C>;
  requireRole<C>(roles: readonly string[], handler: GuardedHandler<C>): Guarded<C>;
  requireGroup<C>(groups: readonly string[], handler: GuardedHandler<C>): Guarded<C>;
  requirePermission<C>(names: readonly string[], handler: GuardedHandler<C>): Guarded<C>;
}

type Auth = (request: Request) => Promise<EntranceContext>;

/** Decides `spec` for a request: core's answer when it refuses, else null, with the context. */
export function decider(coreOf: () => Entrance, auth: Auth, spec: GuardSpec) {
  // Built for the core on first use: an unknown group or permission throws then.
  const guardFor = core.guardPerCore(spec);
  return async (request: Request) => {
    const context = await auth(request);
    return { context, answer: await guardFor(coreOf())(context) };
  };
}

/** Each guard of core as a route-handler wrapper, for the core `coreOf` makes. */
export function guardsFor(coreOf: () => Entrance, auth: Auth): RouteGuards {
  const wrap = <C>(spec: GuardSpec, handler: GuardedHandler<C>): Guarded<C> => {
    const decide = decider(coreOf, auth, spec);
    return async (request, context) => {
      const { context: entrance, answer } = await decide(request);
      if (answer) return answer;
      try {
        return await handler(request, context, entrance);
      } catch (error) {
        if (!core.findEntranceError(error)) throw error;
        return entrance.core.errorResponse(error, entrance.request);
      }
    };
  };
  return {
    requireAuth: (handler) => wrap(core.authGuard(), handler),
    requireScopes: (scopes, handler) => wrap(core.scopesGuard(scopes), handler),
    requireRole: (roles, handler) => wrap(core.roleGuard(roles), handler),
    requireGroup: (groups, handler) => wrap(core.groupGuard(groups), handler),
    requirePermission: (names, handler) => wrap(core.permissionGuard(names), handler),
  };
}
