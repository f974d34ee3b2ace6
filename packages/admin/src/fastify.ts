import { type Entrance, toWebRequest } from "@entrance/core";
import { sendResponse } from "@entrance/fastify";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { createAdmin, type EntranceAdmin } from "./admin.js";
import { type AdminOptions, resolveOptions } from "./options.js";

/** Options of `entranceAdmin()`: the base path is the prefix it is registered with. */
export type FastifyAdminOptions = Omit<AdminOptions, "basePath">;

/** Forms of the panel are tiny; a larger body is refused (413) rather than buffered. */
const MAX_BODY_BYTES = 16 * 1024;
const FORM = "application/x-www-form-urlencoded";

/**
 * The admin panel as a Fastify plugin. Register it with a prefix, after the entrance plugin: it
 * uses that core (`request.entrance.core`) and serves every page and action below the prefix.
 * Encapsulated: its form parser stays inside it.
 *
 * @example
 * await app.register(entrance);
 * await app.register(entranceAdmin(), { prefix: "/admin" }); // staff with Entrance.Admin
 */
export function entranceAdmin(options: FastifyAdminOptions = {}): FastifyPluginAsync {
  // Checked here, before any request: a bad role or page size stops the app at start-up.
  resolveOptions({ ...options, basePath: "/admin" });
  return async (fastify) => {
    const basePath = fastify.prefix;
    if (!basePath)
      throw new TypeError("register entranceAdmin() with a prefix: { prefix: '/admin' }");
    if (!fastify.hasRequestDecorator("entrance")) {
      throw new TypeError("entranceAdmin() needs the entrance plugin registered before it");
    }
    const panels = new WeakMap<Entrance, EntranceAdmin>();
    if (fastify.hasContentTypeParser(FORM)) fastify.removeContentTypeParser(FORM);
    fastify.addContentTypeParser(
      FORM,
      { parseAs: "string", bodyLimit: MAX_BODY_BYTES },
      (_r, body, done) => done(null, body),
    );
    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      const core = request.entrance.core;
      const panel = panels.get(core) ?? createAdmin(core, { ...options, basePath });
      panels.set(core, panel);
      const body = typeof request.body === "string" ? request.body : undefined;
      const web = toWebRequest(request.raw, request.url, core.origins.ofNode(request.raw), body);
      return sendResponse(reply, await panel.handle(web, { ip: request.ip }));
    };
    fastify.all("/", serve);
    fastify.all("/*", serve);
  };
}
