import {
  type AdapterOptions,
  adapterCore,
  contextOrAnswer,
  type Entrance,
  type EntranceContext,
  publicRequestLike,
  withHeaders,
} from "@entrance/core";
import type { MiddlewareHandler } from "hono";
import { guards, type HonoGuards } from "./guards.js";
import { clientIp, webRequest } from "./request.js";

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
  latest = core;
  const { baseUrl } = core.config;
  const middleware: MiddlewareHandler<EntranceEnv> = async (c, next) => {
    if (core.ownsPath(c.req.path)) {
      const response = await core.handle(webRequest(c, baseUrl), { ip: clientIp(c) });
      if (response) return response;
    }
    // Most requests: a session cached in process, answered without waiting.
    const context = await contextOrAnswer(core, publicRequestLike(c.req.raw, baseUrl));
    if (context instanceof Response) return context;
    c.set("entrance", context);
    await next();
    // `no-store` for a signed-in request, unless the route said otherwise.
    const res = withHeaders(c.res, context.responseHeaders);
    if (res !== c.res) c.res = res;
  };
  return Object.assign(middleware, { core }, guards.boundTo(core));
}

let latest: Entrance | undefined;

/** The core of the most recent `entrance()`, for what runs where no request context is. */
export function latestCore(): Entrance | undefined {
  return latest;
}
