import type { EntranceContext, TemplateLocals } from "@entrance/core";
import type { FastifyEntrance } from "./plugin.js";

/**
 * What templates see (`reply.locals`, which @fastify/view merges into every view's data).
 * Augment it to type locals of your own.
 */
export interface FastifyLocals extends TemplateLocals {}

declare module "fastify" {
  interface FastifyInstance {
    /** The core and its guards, decorated by the plugin. */
    entrance: FastifyEntrance;
  }
  interface FastifyRequest {
    /** Set by the plugin on every request but Entrance's own. */
    entrance: EntranceContext;
  }
  interface FastifyReply {
    /** What templates see; set by the plugin. */
    locals: FastifyLocals;
  }
}
