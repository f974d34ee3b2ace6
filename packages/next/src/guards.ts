import type { BearerOptions, GuardedWebHandler, WebAdapter, WebHandler } from "@entrance/core";
import { webGuards } from "@entrance/core";

/** A route handler behind a guard: Next's arguments, then the request's Entrance context. */
export type GuardedHandler<C> = GuardedWebHandler<C>;

/** The guarded handler as Next calls it. */
export type Guarded<C> = WebHandler<C>;

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

/** Core's guards for web handlers, in Next's order of arguments: what is required, then the handler. */
export function guardsFor(adapter: WebAdapter): RouteGuards {
  const kit = webGuards(adapter);
  return {
    requireAuth: (handler) => kit.requireAuth()(handler),
    requireScopes: (scopes, handler) => kit.requireScopes(...scopes)(handler),
    requireRole: (roles, handler) => kit.requireRole(...roles)(handler),
    requireGroup: (groups, handler) => kit.requireGroup(...groups)(handler),
    requirePermission: (names, handler) => kit.requirePermission(...names)(handler),
    requireBearer: (handler, options) => kit.requireBearer(options)(handler),
  };
}
