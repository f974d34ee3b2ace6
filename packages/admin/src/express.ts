import { type Entrance, readNodeBody, toWebRequest, writeWebResponse } from "@entrance/core";
import type { EntranceRequestContext } from "@entrance/express";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { createAdmin, type EntranceAdmin } from "./admin.js";
import { type AdminOptions, resolveOptions } from "./options.js";

/** Options of `entranceAdmin()`: the base path is where Express mounts it. */
export type ExpressAdminOptions = Omit<AdminOptions, "basePath">;

/** Forms of the panel are tiny; a larger body is cut off rather than buffered. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * The admin panel as Express middleware. Mount it under a path, after `entrance()`:
 * it uses that core (`req.entrance.core`) and serves every page and action below the mount path.
 *
 * @example
 * app.use(entrance());
 * app.use("/admin", entranceAdmin()); // staff with the Entrance.Admin app role
 */
export function entranceAdmin(options: ExpressAdminOptions = {}): RequestHandler {
  const panels = new WeakMap<Entrance, Map<string, EntranceAdmin>>();
  const panelFor = (core: Entrance, basePath: string): EntranceAdmin => {
    let byPath = panels.get(core);
    if (!byPath) {
      byPath = new Map();
      panels.set(core, byPath);
    }
    let panel = byPath.get(basePath);
    if (!panel) {
      panel = createAdmin(core, { ...options, basePath });
      byPath.set(basePath, panel);
    }
    return panel;
  };
  // Checked here, before any request: a bad role or page size stops the app at start-up.
  resolveOptions({ ...options, basePath: "/admin" });

  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const context = req.entrance as EntranceRequestContext | undefined;
      if (!context?.core) {
        throw new TypeError(
          "entranceAdmin() needs entrance() before it: app.use(entrance()); app.use('/admin', entranceAdmin())",
        );
      }
      if (!req.baseUrl) {
        throw new TypeError(
          "mount entranceAdmin() under a path: app.use('/admin', entranceAdmin())",
        );
      }
      const core = context.core;
      const request = await webRequestOf(req, core.origins.ofNode(req));
      const response = await panelFor(core, req.baseUrl).handle(request, { ip: req.ip ?? null });
      await writeWebResponse(res, response);
    } catch (error) {
      next(error);
    }
  };
}

/** Method, URL, headers, and the body of a POST (from a body parser if one already read it). */
async function webRequestOf(req: Request, origin: string): Promise<globalThis.Request> {
  if (req.method !== "POST") return toWebRequest(req, req.originalUrl, origin);
  const parsed = req.body && typeof req.body === "object" && !Buffer.isBuffer(req.body);
  const body = parsed
    ? // express.urlencoded() already ran: rebuild the form it parsed.
      new URLSearchParams(
        Object.entries(req.body as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      ).toString()
    : ((await readNodeBody(req, MAX_BODY_BYTES)) ?? "");
  return toWebRequest(req, req.originalUrl, origin, body);
}
