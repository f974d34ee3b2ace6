import { createRequire } from "node:module";
import {
  createEntrance,
  defaultStore,
  type Entrance,
  type EntranceContext,
  type EntranceOptions,
} from "@entrance/core";
import type { MiddlewareHandler } from "hono";
import { guardsOf, type HonoGuards, rememberCore } from "./guards.js";
import { addHeaders, clientIp, requestLike, webRequest } from "./request.js";

/**
 * Options of `entrance()`: the core's, with the store optional (default: @entrance/store-sql, with
 * @entrance/store-redis for the session side when REDIS_URL is set).
 */
export interface HonoEntranceOptions extends Omit<EntranceOptions, "store"> {
  readonly store?: EntranceOptions["store"];
}

/** What Entrance adds to Hono's context: `c.get("entrance")`, typed through `Variables`. */
export interface EntranceEnv {
  Variables: { entrance: EntranceContext };
}

/** The middleware, its core (`.core`), and guards checked against that core when built. */
export type EntranceMiddleware = MiddlewareHandler<EntranceEnv> &
  HonoGuards & { readonly core: Entrance };

// Optional peers: an app that passes its own store installs no native module and no Redis client.
const openSql = installed("@entrance/store-sql")
  ? async (url: string) => (await import("@entrance/store-sql")).openSqlStore(url)
  : null;
const openRedis = installed("@entrance/store-redis")
  ? async (url: string) => (await import("@entrance/store-redis")).openRedisStore({ url })
  : null;

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
  const core = createEntrance({
    ...options,
    store: options.store ?? defaultStore(openSql, openRedis),
  });
  rememberCore(core);
  const { baseUrl } = core.config;
  const middleware: MiddlewareHandler<EntranceEnv> = async (c, next) => {
    if (core.ownsPath(c.req.path)) {
      const response = await core.handle(webRequest(c, baseUrl), { ip: clientIp(c) });
      if (response) return response;
    }
    const like = requestLike(c, baseUrl);
    // Most requests: a session cached in process, answered without waiting.
    const context = core.contextNow(like) ?? (await core.context(like));
    c.set("entrance", context);
    await next();
    // `no-store` for a signed-in request, unless the route said otherwise.
    addHeaders(c, context.responseHeaders);
  };
  return Object.assign(
    middleware,
    { core },
    guardsOf(() => core),
  );
}

function installed(name: string): boolean {
  try {
    return Boolean(createRequire(import.meta.url).resolve(name));
  } catch {
    return false;
  }
}
