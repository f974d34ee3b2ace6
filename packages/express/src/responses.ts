import { type CspDirectives, entranceErrorAnswer, writeWebResponse } from "@entrance/core";
import type { ErrorRequestHandler, RequestHandler } from "express";

/**
 * Mount after your routes: Entrance's errors get core's answer (consent and back, "sign in
 * again", or their documented status; JSON for API calls). Other errors go on.
 */
export function handleEntranceErrors(): ErrorRequestHandler {
  return (error, req, res, next) => {
    const answer = res.headersSent ? null : entranceErrorAnswer(error, req.entrance);
    if (!answer) return next(error);
    writeWebResponse(res, answer).catch(next);
  };
}

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
