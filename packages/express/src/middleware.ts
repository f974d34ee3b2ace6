import { createRequire } from "node:module";
import {
  createEntrance,
  defaultStore,
  type Entrance,
  type EntranceContext,
  type EntranceOptions,
  nodeRequestLike,
  toWebRequest,
  writeWebResponse,
} from "@entrance/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { type ExpressGuards, guardsOf, rememberCore } from "./guards.js";

/**
 * Options of `entrance()`: the core's, with the store optional (default: @entrance/store-sql, with
 * @entrance/store-redis for the session side when REDIS_URL is set).
 */
export interface ExpressEntranceOptions extends Omit<EntranceOptions, "store"> {
  readonly store?: EntranceOptions["store"];
}

/** The middleware, its core (`.core`), and guards checked against that core when built. */
export type EntranceMiddleware = RequestHandler & ExpressGuards & { readonly core: Entrance };

// Optional peers: an app that passes its own store installs no native module and no Redis client.
const openSql = installed("@entrance/store-sql")
  ? async (url: string) => (await import("@entrance/store-sql")).openSqlStore(url)
  : null;
const openRedis = installed("@entrance/store-redis")
  ? async (url: string) => (await import("@entrance/store-redis")).openRedisStore({ url })
  : null;

/**
 * Sign-in with Microsoft Entra ID for Express: serves Entrance's routes and gives every request
 * `req.entrance` and every template `user`, `loginUrl`, `logoutUrl`, `popupScriptUrl`. Reads
 * AZURE_* and ENTRANCE_* unless given; a bad value throws here.
 *
 * @example
 * const auth = entrance();
 * app.use(auth);
 * app.get("/me", auth.requireAuth(), (req, res) => res.json(req.entrance.user));
 */
export function entrance(options: ExpressEntranceOptions = {}): EntranceMiddleware {
  const core = createEntrance({
    ...options,
    store: options.store ?? defaultStore(openSql, openRedis),
  });
  rememberCore(core);
  const { baseUrl } = core.config;
  const give = (req: Request, res: Response, next: NextFunction, context: EntranceContext) => {
    req.entrance = context;
    const headers = context.responseHeaders;
    for (const name in headers) res.setHeader(name, headers[name] as string);
    context.assignLocals(res.locals);
    next();
  };
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (core.ownsPath(req.path)) {
      const request = toWebRequest(req, req.originalUrl, baseUrl);
      core
        .handle(request, { ip: req.ip ?? null })
        .then((response) => (response ? writeWebResponse(res, response) : next()))
        .catch(next);
      return;
    }
    const request = nodeRequestLike(req, req.originalUrl, baseUrl);
    // Most requests: a session cached in process, answered without a promise.
    const now = core.contextNow(request);
    if (now) return give(req, res, next, now);
    core
      .context(request)
      .then(
        (context) => give(req, res, next, context),
        // The store did not answer or failed: core's 503/500 page or JSON, not Express's.
        (error) => writeWebResponse(res, core.errorResponse(error, request)),
      )
      .catch(next);
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
