import type { CspDirectives } from "@entrance/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/**
 * The security headers Entrance's own pages send, for the app's pages: a Content-Security-Policy
 * whose `form-action` lets sign-out forms reach Entra, no framing, nosniff, a referrer policy
 * and an opener policy that keeps popup sign-in working. `directives` replace the default
 * policy's by name (e.g. to allow an image CDN). Mount after `entrance()`. Headers a route sets
 * itself win.
 *
 * @example
 * app.use(entrance());
 * app.use(securityHeaders({ "img-src": ["'self'", "data:", "https://cdn.example.com"] }));
 */
export function securityHeaders(directives?: CspDirectives): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const core = req.entrance?.core;
    if (!core) {
      next(new Error("securityHeaders() needs app.use(entrance()) before it"));
      return;
    }
    core.securityHeaders(directives).then((headers) => {
      for (const [name, value] of Object.entries(headers)) {
        if (!res.hasHeader(name)) res.setHeader(name, value);
      }
      next();
    }, next);
  };
}
