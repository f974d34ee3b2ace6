import {
  type AdapterOptions,
  adapterCore,
  addHeadersOnWriteHead,
  contextOrAnswer,
  type Entrance,
  type EntranceContext,
  publicRequestLike,
  withHeaders,
} from "@entrance/core";
import type { Context, MiddlewareHandler, Next } from "hono";
import { guards, type HonoGuards, nothing } from "./guards.js";
import { clientIp, nodeResponse, originOf, webRequest } from "./request.js";

/**
 * Options of `entrance()`: the core's, with the store optional (default: @entrance/store-sql, with
 * @entrance/store-redis for the session side when REDIS_URL is set).
 */
export type HonoEntranceOptions = AdapterOptions;

/** What Entrance adds to Hono's context: `c.get("entrance")`, typed through `Variables`. */
export interface EntranceEnv {
  Variables: { entrance: EntranceContext };
}

/** The middleware, its core (`.core`), and guards checked against that core when built. */
export type EntranceMiddleware = MiddlewareHandler<EntranceEnv> &
  HonoGuards & { readonly core: Entrance };

/**
 * Sign-in with Microsoft Entra ID for Hono on Node: serves Entrance's routes and gives every
 * other request `c.get("entrance")` (user, sign-in and sign-out links, tokens, Graph). Reads
 * AZURE_* and ENTRANCE_* unless given; a bad value throws here.
 *
 * @example
 * const auth = entrance();
 * const app = new Hono<EntranceEnv>().use(auth);
 * app.get("/me", auth.requireAuth(), (c) => c.json(c.get("entrance").user));
 */
export function entrance(options: HonoEntranceOptions = {}): EntranceMiddleware {
  const core = adapterCore(options);
  guards.remember(core);
  const { origins } = core;
  const own = async (
    c: Context<EntranceEnv>,
    next: Next,
    origin: string,
  ): Promise<Response | undefined> => {
    const response = await core.handle(webRequest(c, origin), { ip: clientIp(c) });
    return response ?? withContext(c, next, origin);
  };
  const withContext = (
    c: Context<EntranceEnv>,
    next: Next,
    origin: string,
  ): Promise<Response | undefined> => {
    // Most requests: a session cached in process, the context at once, no promise to wait for.
    const context = contextOrAnswer(core, publicRequestLike(c.req.raw, origin));
    if (!(context instanceof Promise)) return onward(c, next, context);
    return context.then((late) => (late instanceof Response ? late : onward(c, next, late)));
  };
  const middleware: MiddlewareHandler<EntranceEnv> = (c, next) => {
    const origin = originOf(c, origins);
    return core.ownsPath(c.req.path) ? own(c, next, origin) : withContext(c, next, origin);
  };
  return Object.assign(middleware, { core }, guards.boundTo(core));
}

/**
 * Gives the request its context and goes on. Its response headers (`no-store` when signed in)
 * go where a route's own win: on @hono/node-server, into the Node response's `writeHead` (Hono's
 * response keeps its plain headers, and Node its fast path); elsewhere, added to Hono's response
 * afterwards where it has none of that name.
 */
function onward(c: Context<EntranceEnv>, next: Next, context: EntranceContext): Promise<undefined> {
  c.set("entrance", context);
  const headers = context.responseHeaders;
  const outgoing = nodeResponse(c);
  if (outgoing) {
    addHeadersOnWriteHead(outgoing, headers);
    return next().then(nothing);
  }
  return next().then(() => {
    const res = withHeaders(c.res, headers);
    if (res !== c.res) c.res = res;
    return undefined;
  });
}
