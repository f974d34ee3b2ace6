import {
  adapterGuards,
  type BearerOptions,
  contextOrAnswer,
  type Entrance,
  type EntranceContext,
  entranceErrorAnswer,
  publicRequestLike,
  withHeaders,
} from "@entrance/core";
import { baseUrlOf } from "./core.js";

/** A route handler behind a guard: Next's arguments, then the request's Entrance context. */
export type GuardedHandler<C> = (
  request: Request,
  context: C,
  entrance: EntranceContext,
) => Response | Promise<Response>;

/** The guarded handler as Next calls it. */
export type Guarded<C> = (request: Request, context: C) => Promise<Response>;

/** What a guard of core becomes here: a wrapper of route handlers. */
type HandlerGuard = <C>(handler: GuardedHandler<C>) => Guarded<C>;

/**
 * The guards, each wrapping a route handler (see core's README for what each requires). A request
 * that fails one gets core's answer (sign in and back, 401 JSON for an API call, a 403, consent, a
 * bearer challenge); an Entrance error thrown by the handler gets core's answer too (consent and
 * back, "sign in again", its documented status).
 */
export interface RouteGuards {
  requireAuth<C>(handler: GuardedHandler<C>): Guarded<C>;
  requireScopes<C>(scopes: readonly string[], handler: GuardedHandler<C>): Guarded<C>;
  requireRole<C>(roles: readonly string[], handler: GuardedHandler<C>): Guarded<C>;
  requireGroup<C>(groups: readonly string[], handler: GuardedHandler<C>): Guarded<C>;
  requirePermission<C>(names: readonly string[], handler: GuardedHandler<C>): Guarded<C>;
  /** An Entra access token for this app's API; the caller is then the context's `caller`. */
  requireBearer<C>(handler: GuardedHandler<C>, options?: BearerOptions): Guarded<C>;
}

/** The request's context on `core`, or core's answer when the store fails. */
export function contextFor(core: Entrance, request: Request) {
  return contextOrAnswer(core, publicRequestLike(request, baseUrlOf(core)));
}

/** Core's guards as route-handler wrappers, for the core `coreOf` makes on first use. */
export function guardsFor(coreOf: () => Entrance): RouteGuards {
  const kit = adapterGuards<HandlerGuard>((guard) => (handler) => async (request, params) => {
    const context = await contextFor(coreOf(), request);
    if (context instanceof Response) return context;
    const answer = await guard(context);
    if (answer) return answer;
    try {
      // `no-store` for a signed-in request, unless the handler said otherwise.
      return withHeaders(await handler(request, params, context), context.responseHeaders);
    } catch (error) {
      const errorAnswer = entranceErrorAnswer(error, context);
      if (errorAnswer) return errorAnswer;
      throw error;
    }
  }).standalone;
  return {
    requireAuth: (handler) => kit.requireAuth()(handler),
    requireScopes: (scopes, handler) => kit.requireScopes(...scopes)(handler),
    requireRole: (roles, handler) => kit.requireRole(...roles)(handler),
    requireGroup: (groups, handler) => kit.requireGroup(...groups)(handler),
    requirePermission: (names, handler) => kit.requirePermission(...names)(handler),
    requireBearer: (handler, options) => kit.requireBearer(options)(handler),
  };
}
