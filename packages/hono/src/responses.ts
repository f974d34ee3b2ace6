import { type CspDirectives, entranceErrorAnswer, withHeaders } from "@entrance/core";
import type { ErrorHandler, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { EntranceEnv } from "./middleware.js";

/**
 * An error handler (`app.onError(handleEntranceErrors())`): Entrance's errors get core's answer
 * (consent and back, "sign in again", or their documented status; JSON for API calls). Other
 * errors go to `fallback`, else are answered as Hono does by default.
 */
export function handleEntranceErrors(
  fallback?: ErrorHandler<EntranceEnv>,
): ErrorHandler<EntranceEnv> {
  return (error, c) => {
    const answer = entranceErrorAnswer(error, c.get("entrance"));
    if (answer) return answer;
    if (fallback) return fallback(error, c);
    if (error instanceof HTTPException) return error.getResponse();
    console.error(error);
    return c.text("Internal Server Error", 500);
  };
}

/**
 * Middleware giving the app's responses core's security headers: CSP letting sign-out forms
 * reach Entra, no framing, nosniff, referrer and opener policies; `directives` replace CSP ones
 * by name. Mount after `entrance()`; a header a route sets itself wins.
 */
export function securityHeaders(directives?: CspDirectives): MiddlewareHandler<EntranceEnv> {
  return async (c, next) => {
    const context = c.get("entrance");
    if (!context) throw new Error("securityHeaders() needs app.use(entrance()) first");
    await next();
    const res = withHeaders(c.res, await context.core.securityHeaders(directives));
    if (res !== c.res) c.res = res;
  };
}
