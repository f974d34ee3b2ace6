import {
  type AdapterOptions,
  adapterCore,
  contextOrAnswer,
  type Entrance,
  type EntranceContext,
  nodeRequestLike,
  toWebRequest,
  writeWebResponse,
} from "@entrance/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { type ExpressGuards, guards } from "./guards.js";

/**
 * Options of `entrance()`: the core's, with the store optional (default: @entrance/store-sql, with
 * @entrance/store-redis for the session side when REDIS_URL is set).
 */
export type ExpressEntranceOptions = AdapterOptions;

/** The middleware, its core (`.core`), and guards checked against that core when built. */
export type EntranceMiddleware = RequestHandler & ExpressGuards & { readonly core: Entrance };

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
  const core = adapterCore(options);
  guards.remember(core);
  const { origins } = core;
  const give = (req: Request, res: Response, next: NextFunction, context: EntranceContext) => {
    req.entrance = context;
    const headers = context.responseHeaders;
    for (const name in headers) res.setHeader(name, headers[name] as string);
    context.assignLocals(res.locals);
    next();
  };
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (core.ownsPath(req.path)) {
      const request = toWebRequest(req, req.originalUrl, origins.ofNode(req));
      core
        .handle(request, { ip: req.ip ?? null })
        .then((response) => (response ? writeWebResponse(res, response) : next()))
        .catch(next);
      return;
    }
    // Most requests: a session cached in process, answered without a promise.
    const context = contextOrAnswer(
      core,
      nodeRequestLike(req, req.originalUrl, origins.ofNode(req)),
    );
    if (!(context instanceof Promise)) return give(req, res, next, context);
    context
      .then((late) =>
        late instanceof Response ? writeWebResponse(res, late) : give(req, res, next, late),
      )
      .catch(next);
  };
  return Object.assign(middleware, { core }, guards.boundTo(core));
}
