import { type Entrance, readWebBody } from "@entrance/core";
import { clientIp, type EntranceEnv, originOf, webRequest } from "@entrance/hono";
import type { MiddlewareHandler } from "hono";
import { createAdmin, type EntranceAdmin } from "./admin.js";
import { type AdminOptions, resolveOptions } from "./options.js";

/** Options of `entranceAdmin()`: the base path is the route it is mounted on, less `/*`. */
export type HonoAdminOptions = Omit<AdminOptions, "basePath">;

/** Forms of the panel are tiny; a larger body is refused (413) rather than buffered. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * The admin panel as Hono middleware. Mount it on a path ending in `/*`, after `entrance()`: it
 * uses that core (`c.get("entrance").core`) and serves every page and action below the path.
 *
 * @example
 * app.use(entrance());
 * app.all("/admin/*", entranceAdmin()); // staff with the Entrance.Admin app role
 */
export function entranceAdmin(options: HonoAdminOptions = {}): MiddlewareHandler<EntranceEnv> {
  // Checked here, before any request: a bad role or page size stops the app at start-up.
  resolveOptions({ ...options, basePath: "/admin" });
  const panels = new WeakMap<Entrance, Map<string, EntranceAdmin>>();
  const panelFor = (core: Entrance, basePath: string): EntranceAdmin => {
    const byPath = panels.get(core) ?? new Map<string, EntranceAdmin>();
    panels.set(core, byPath);
    const panel = byPath.get(basePath) ?? createAdmin(core, { ...options, basePath });
    byPath.set(basePath, panel);
    return panel;
  };
  return async (c) => {
    const context = c.get("entrance");
    if (!context?.core) {
      throw new TypeError("entranceAdmin() needs entrance() before it: app.use(entrance())");
    }
    const route = c.req.routePath;
    if (!route.endsWith("/*") || route === "/*") {
      throw new TypeError("mount entranceAdmin() on a path ending in /*: app.all('/admin/*', …)");
    }
    let body: string | undefined;
    if (c.req.method === "POST") {
      body = (await readWebBody(c.req.raw, MAX_BODY_BYTES)) ?? undefined;
      if (body === undefined) return c.text("Payload Too Large", 413);
    }
    const core = context.core;
    const request = webRequest(c, originOf(c, core.origins), body);
    return panelFor(core, route.slice(0, -2)).handle(request, { ip: clientIp(c) });
  };
}
