import type { CspDirectives } from "@entrance/core";
import type { RequestHandler } from "express";

/**
 * Core's security headers on the app's pages (CSP letting sign-out forms reach Entra, no
 * framing, nosniff, referrer and opener policies); `directives` replace CSP ones by name. Mount
 * after `entrance()`; a header a route sets itself wins.
 */
export function securityHeaders(directives?: CspDirectives): RequestHandler {
  return (req, res, next) => {
    if (!req.entrance) return next(new Error("securityHeaders() needs app.use(entrance()) first"));
    req.entrance.core.securityHeaders(directives).then((headers) => {
      for (const [name, value] of Object.entries(headers)) {
        if (!res.hasHeader(name)) res.setHeader(name, value);
      }
      next();
    }, next);
  };
}
