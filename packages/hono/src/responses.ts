import { type CspDirectives, entranceErrorAnswer, redactText, withHeaders } from "@entrance/core";
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { guards } from "./guards.js";
import type { EntranceEnv } from "./middleware.js";

/**
 * An error handler (`app.onError(handleEntranceErrors())`): Entrance's errors get core's answer
 * (consent and back, "sign in again", or their documented status; JSON for API calls). Other
 * errors go to `fallback`, else are answered as Hono does by default, and logged through
 * Entrance's logger (`handler_failed`), redacted.
 */
export function handleEntranceErrors(
  fallback?: ErrorHandler<EntranceEnv>,
): ErrorHandler<EntranceEnv> {
  return (error, c) => {
    const answer = entranceErrorAnswer(error, c.get("entrance"));
    if (answer) return answer;
    if (fallback) return fallback(error, c);
    if (error instanceof HTTPException) return error.getResponse();
    logUnexpected(error, c);
    return c.text("Internal Server Error", 500);
  };
}

/**
 * An error of the app's handler, logged as the rest of Entrance's log: through the core's logger,
 * whose redaction keeps a token the message quotes out of it. Before any `entrance()`, redacted
 * text on the console.
 */
function logUnexpected(error: Error, c: Context<EntranceEnv>): void {
  const logger = (c.get("entrance")?.core ?? guards.latest())?.logger;
  if (logger) logger.error({ event: "handler_failed", error }, "entrance: a handler failed");
  else console.error(redactText(error.stack ?? String(error)));
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
