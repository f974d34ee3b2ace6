/**
 * Handlers for adapters of web-standard frameworks (a `Request` in, a `Response` out: Next.js's
 * route handlers and proxy), so that such an adapter only translates: Entrance's own routes, a
 * tool mounted on the core, guarded handlers, a proxy's signed-in-or-answer decision, the answer
 * to an Entrance error, and pages' security headers with a script nonce.
 *
 * They call only the core's public methods and keep nothing of their own per core but what a
 * closure holds: a framework that bundles a copy of core per route hands a core one copy made to
 * the functions of another.
 */
import { randomBytes } from "node:crypto";
import {
  type AdapterGuards,
  adapterGuards,
  contextOrAnswer,
  entranceErrorAnswer,
} from "./adapter.js";
import type { EntranceContext } from "./context.js";
import type { Entrance } from "./entrance.js";
import { findEntranceError } from "./errors/entrance-error.js";
import { authGuard, type Guard, guardPerCore } from "./guards.js";
import type { RequestLike } from "./http/node.js";
import type { CspDirectives } from "./http/security-headers.js";
import {
  absoluteRedirect,
  publicRequest,
  publicRequestLike,
  readWebBody,
  withHeaders,
} from "./http/web.js";
import type { RequestInfo } from "./options.js";

/** What a web-standard adapter tells the handlers: its core, a request's origin, its client. */
export interface WebAdapter {
  /** The core, made on first use where the framework imports the app before its environment. */
  readonly core: () => Entrance;
  /**
   * The request's public origin on `core`: its `baseUrl` where the handler does not see the
   * connection (Next.js), else `core.origins.ofWeb(request, peer)`.
   */
  readonly originOf: (core: Entrance, request: Request) => string;
  /** The client's address where the runtime tells it, else null. */
  readonly clientIp: (request: Request) => string | null;
}

/** A handler as a web-standard framework calls it: the request, and what the framework adds. */
export type WebHandler<C = unknown> = (request: Request, context: C) => Promise<Response>;

/** A web handler behind a guard: the framework's arguments, then the request's Entrance context. */
export type GuardedWebHandler<C> = (
  request: Request,
  context: C,
  entrance: EntranceContext,
) => Response | Promise<Response>;

/** A guard of core as a wrapper of web handlers. */
export type WebGuard = <C>(handler: GuardedWebHandler<C>) => WebHandler<C>;

/** A tool's `Request` → `Response` handler built on the core, such as the admin panel's. */
export type MountedWebHandler = (
  request: Request,
  info: RequestInfo,
  core: Entrance,
) => Response | Promise<Response>;

/** What a page needs when its framework renders it: the request's headers and the response's. */
export interface NoncedPageHeaders {
  /** The request's headers with the page's CSP, whose script nonce the framework reads there. */
  readonly request: Headers;
  /** Core's security headers with that CSP, and the context's (`no-store` when signed in). */
  readonly response: Readonly<Record<string, string>>;
}

/** A mounted tool's forms are small; a larger body is refused (413) rather than buffered. */
const MAX_MOUNTED_BODY_BYTES = 16 * 1024;

/**
 * Entrance's routes as one handler: core's answer on the request's public origin, or 404 for a
 * path that is not Entrance's. The body is not passed on: Entrance's routes read none.
 */
export function entranceRoutes(adapter: WebAdapter): WebHandler {
  return async (request) => {
    const core = adapter.core();
    if (!core.ownsPath(new URL(request.url).pathname)) return notFound();
    const onOrigin = publicRequest(request, adapter.originOf(core, request));
    return (await core.handle(onOrigin, { ip: adapter.clientIp(request) })) ?? notFound();
  };
}

function notFound(): Response {
  return new Response("Not Found", { status: 404 });
}

/**
 * A tool's handler as a web handler: it gets the request on the public origin with its body (a
 * body over 16 KiB is answered 413, unread past that), the client's address, and the core.
 */
export function mountedHandler(adapter: WebAdapter, handle: MountedWebHandler): WebHandler {
  return async (request) => {
    const core = adapter.core();
    const body = await readWebBody(request, MAX_MOUNTED_BODY_BYTES);
    if (body === null) return new Response("Payload Too Large", { status: 413 });
    const origin = adapter.originOf(core, request);
    const onOrigin = publicRequest(request, origin, request.body ? body : undefined);
    return handle(onOrigin, { ip: adapter.clientIp(request) }, core);
  };
}

/**
 * Core's guards as wrappers of web handlers, each built for a core on its first request. A
 * request that fails one gets core's answer (sign in and back, 401 JSON for an API call, a 403,
 * consent, a bearer challenge; a failing store's 503 or 500). The handler's response gets the
 * context's headers (`no-store` when signed in) where it has none of that name, and an Entrance
 * error it throws gets core's answer (consent and back, "sign in again", its status).
 */
export function webGuards(adapter: WebAdapter): AdapterGuards<WebGuard> {
  return adapterGuards<WebGuard>((guard) => (handler) => async (request, params) => {
    const core = adapter.core();
    const context = await guardedContext(core, publicLike(adapter, core, request), guard);
    if (context instanceof Response) return context;
    try {
      return withHeaders(await handler(request, params, context), context.responseHeaders);
    } catch (error) {
      const answer = entranceErrorAnswer(error, context);
      if (answer) return answer;
      throw error;
    }
  }).standalone;
}

/**
 * For a framework's proxy: nothing for a signed-in request, which goes on; else core's answer —
 * sign in and back (its `Location` absolute: Next's proxy takes no other), 401 JSON for an API
 * call, a failing store's 503 or 500. The session is checked in the store, not only its cookie.
 */
export function signedInOrAnswer(
  adapter: WebAdapter,
): (request: Request) => Promise<Response | undefined> {
  const signedIn = guardPerCore(authGuard());
  return async (request) => {
    const core = adapter.core();
    const origin = adapter.originOf(core, request);
    const like = publicRequestLike(request, origin);
    const context = await guardedContext(core, like, signedIn(core));
    return context instanceof Response ? absoluteRedirect(context, origin) : undefined;
  };
}

/**
 * The handler, with an Entrance error it throws answered by core (consent and back, "sign in
 * again", a failing store's 503, its documented status; JSON for an API call). Any other error is
 * thrown on, and the core is not made until an Entrance error needs it.
 */
export function answeringEntranceErrors<C>(
  adapter: WebAdapter,
  handler: (request: Request, context: C) => Response | Promise<Response>,
): WebHandler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      if (!findEntranceError(error)) throw error;
      const core = adapter.core();
      return core.errorResponse(error, publicLike(adapter, core, request));
    }
  };
}

/**
 * A page's security headers with a fresh script nonce (`directives` replace CSP ones by name),
 * for a framework that puts the nonce it reads from the request's CSP on its own inline scripts;
 * core's answer instead when the store fails.
 */
export async function noncedPageHeaders(
  adapter: WebAdapter,
  request: Request,
  directives: CspDirectives = {},
): Promise<NoncedPageHeaders | Response> {
  const core = adapter.core();
  const context = await contextOrAnswer(core, publicLike(adapter, core, request));
  if (context instanceof Response) return context;
  const nonce = randomBytes(16).toString("base64");
  const scripts = directives["script-src"] ?? ["'self'"];
  const headers = await core.securityHeaders({
    ...directives,
    "script-src": [...scripts, `'nonce-${nonce}'`],
  });
  const forRequest = new Headers(request.headers);
  forRequest.set("content-security-policy", headers["content-security-policy"] ?? "");
  return { request: forRequest, response: { ...headers, ...context.responseHeaders } };
}

/** What core reads of the request, on its public origin. */
function publicLike(adapter: WebAdapter, core: Entrance, request: Request): RequestLike {
  return publicRequestLike(request, adapter.originOf(core, request));
}

/** The request's context when `guard` lets it through, else core's answer (the guard's, or the store's). */
async function guardedContext(
  core: Entrance,
  request: RequestLike,
  guard: Guard,
): Promise<EntranceContext | Response> {
  const context = await contextOrAnswer(core, request);
  if (context instanceof Response) return context;
  return (await guard(context)) ?? context;
}
