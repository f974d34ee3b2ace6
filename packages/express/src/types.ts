import type { EntranceContext, TemplateLocals } from "@entrance/core";

/** What Entrance adds to every Express request as `req.entrance`. */
export type EntranceRequestContext = EntranceContext;

declare module "express-serve-static-core" {
  interface Request {
    /** Set by the `entrance()` middleware. */
    entrance: EntranceRequestContext;
  }
}

declare global {
  namespace Express {
    /** What `entrance()` gives every template. */
    interface Locals extends TemplateLocals {}
  }
}
