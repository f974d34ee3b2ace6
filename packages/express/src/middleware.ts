import { createRequire } from "node:module";
import {
  createEntrance,
  defaultStore,
  type Entrance,
  type EntranceOptions,
  nodeRequestLike,
  toWebRequest,
  writeWebResponse,
} from "@entrance/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { type ExpressGuards, guardsOf, rememberCore } from "./guards.js";

/** Options of `entrance()`: the core's, with the store optional (default: @entrance/store-sql). */
export interface ExpressEntranceOptions extends Omit<EntranceOptions, "store"> {
  readonly store?: EntranceOptions["store"];
}

/** The middleware, its core (`.core`), and guards checked against that core when built. */
export type EntranceMiddleware = RequestHandler & ExpressGuards & { readonly core: Entrance };

// An optional peer: an app that passes its own store installs no native module.
const openSql = installed("@entrance/store-sql")
  ? async (url: string) => (await import("@entrance/store-sql")).openSqlStore(url)
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
  const core = createEntrance({ ...options, store: options.store ?? defaultStore(openSql) });
  rememberCore(core);
  const { baseUrl } = core.config;
  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (core.ownsPath(req.path)) {
        const request = toWebRequest(req, req.originalUrl, baseUrl);
        const response = await core.handle(request, { ip: req.ip ?? null });
        if (response) return await writeWebResponse(res, response);
      }
      const context = await core.context(nodeRequestLike(req, req.originalUrl, baseUrl));
      req.entrance = context;
      res.set(context.responseHeaders);
      // Descriptors, not values: the sign-in link is built only if a template reads it.
      Object.defineProperties(res.locals, Object.getOwnPropertyDescriptors(context.locals));
      next();
    } catch (error) {
      next(error);
    }
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
