import {
  answeringEntranceErrors,
  type CspDirectives,
  type Entrance,
  type EntranceContext,
  entranceRoutes,
  type MountedWebHandler,
  mountedHandler,
  publicRequestLike,
  signedInOrAnswer,
  type WebAdapter,
  type WebHandler,
} from "@entrance/core";
import { headers } from "next/headers.js";
import { baseUrlOf, type NextEntranceOptions, sharedCore } from "./core.js";
import { type ErrorsAnswered, type WithSignIn, withSignInBy } from "./errors.js";
import { guardsFor, type RouteGuards } from "./guards.js";
import { pageHeaders } from "./security.js";

/** A route handler as Next calls it: the request, and the route's `{ params }`. */
export type RouteHandler<C = unknown> = WebHandler<C>;

/** A tool's handler for {@link NextEntrance.mount}. */
export type MountedHandler = MountedWebHandler;

/** What `entrance()` gives the app. */
export interface NextEntrance extends RouteGuards {
  /** Entrance's routes, for `app/auth/[...entrance]/route.ts`: `export const { GET, POST } = handlers`. */
  readonly handlers: { readonly GET: RouteHandler; readonly POST: RouteHandler };
  /**
   * The request's context (user, session, `loginUrl`, `logoutUrl`, `getAccessToken`, `graph`): in
   * server components and server actions from `next/headers`, in a route handler from `request`
   * when given (then `loginUrl()` returns to that path; without it, to `/`).
   */
  auth(request?: Request): Promise<EntranceContext>;
  /**
   * For `proxy.ts`: a signed-out request to a path of the proxy's `matcher` goes to sign in and
   * back (an API request gets 401 JSON); a signed-in one goes on. The session is checked in the
   * store, not only its cookie's presence: the proxy runs on the Node.js runtime.
   */
  readonly proxy: (request: Request) => Promise<Response | undefined>;
  /**
   * A `Request` → `Response` handler of a tool built on the core, such as the admin panel's
   * `handle`, as a route handler: it gets the request on the configured origin with its body (a
   * body over 16 KiB is answered 413), the client's address, and the core.
   */
  mount(handle: MountedHandler): RouteHandler;
  /**
   * For `proxy.ts`: the request goes on with core's security headers (CSP with a nonce Next puts
   * on its scripts, no framing, nosniff, referrer and opener policies) on the page it gets;
   * `directives` replace CSP ones by name. Give the proxy a `matcher` covering the app's pages.
   */
  securityHeaders(request: Request, directives?: CspDirectives): Promise<Response>;
  /**
   * Wraps a route handler that no guard wraps: an Entrance error it throws gets core's answer
   * (consent and back, "sign in again", its status; JSON for an API call), as the guards give it.
   *
   * @example
   * export const GET = handleEntranceErrors(async (request) => {
   *   const { getAccessToken } = await auth(request);
   *   return Response.json(await callApi(await getAccessToken("Calendars.Read")));
   * });
   */
  readonly handleEntranceErrors: ErrorsAnswered;
  /**
   * For server components and server actions: runs `work`, and when it needs the user at Entra
   * (consent for more scopes, or signing in again after the session's tokens were revoked),
   * redirects there and back to `returnTo` (a path of the app; a server component is not told its
   * own). Other errors go on to Next's error boundary.
   *
   * @example
   * const { graph } = await auth();
   * const me = await withSignIn(() => graph.api("/me").get(), "/profile");
   */
  readonly withSignIn: WithSignIn;
  /** The core, made on first use; `close()` it on shutdown. */
  readonly core: Entrance;
}

/**
 * Sign-in with Microsoft Entra ID for a Next.js App Router app on the Node.js runtime. Call it
 * once, in a module of the app (`lib/entrance.ts`), and export what it returns. Reads AZURE_* and
 * ENTRANCE_* unless given; the configuration is checked when the core is first used, since
 * `next build` imports this module without the app's environment.
 *
 * @example
 * // lib/entrance.ts
 * export const { handlers, auth, proxy, requireAuth } = entrance();
 * // app/auth/[...entrance]/route.ts
 * export const { GET, POST } = handlers;
 * // app/page.tsx
 * const { user, loginUrl } = await auth();
 */
export function entrance(options: NextEntranceOptions = {}): NextEntrance {
  const { name = "default", clientIp = () => null, ...coreOptions } = options;
  const coreOf = sharedCore(name, coreOptions);
  // Next's handlers do not see the connection: every request is on the configured `baseUrl`.
  const adapter: WebAdapter = { core: coreOf, originOf: baseUrlOf, clientIp };
  const auth = async (request?: Request): Promise<EntranceContext> => {
    // `headers()` first: while `next build` prerenders, it marks the page dynamic and stops
    // there, before the core would read an environment the build does not have. Server
    // components are not told their path: links built from it return to `/`.
    const current = request ? undefined : await headers();
    const core = coreOf();
    const like = current
      ? { method: "GET", url: `${baseUrlOf(core)}/`, headers: current }
      : publicRequestLike(request as Request, baseUrlOf(core));
    // Most requests: a session cached in process, answered without waiting.
    return core.contextNow(like) ?? (await core.context(like));
  };
  const route = entranceRoutes(adapter);
  return {
    handlers: { GET: route, POST: route },
    mount: (handle) => mountedHandler(adapter, handle),
    securityHeaders: (request, directives) => pageHeaders(adapter, request, directives),
    auth,
    // No answer lets the request through: Next then routes it.
    proxy: signedInOrAnswer(adapter),
    handleEntranceErrors: (handler) => answeringEntranceErrors(adapter, handler),
    withSignIn: withSignInBy(coreOf),
    get core() {
      return coreOf();
    },
    ...guardsFor(adapter),
  };
}
