import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import { errorPage, formPostPage } from "../pages/views.js";
import { describe, type EntraError, entraTimestamp } from "./errors.js";

/** Where and how an authorization response goes back to the app. */
export interface ResponseTarget {
  readonly redirectUri: string;
  readonly responseMode: "query" | "fragment" | "form_post";
  readonly state: string | undefined;
}

/** Sends authorization response parameters to the app's redirect URI in its response mode. */
export function respondToApp(
  exchange: Exchange,
  target: ResponseTarget,
  fields: Record<string, string>,
): void {
  const all = target.state === undefined ? fields : { ...fields, state: target.state };
  if (target.responseMode === "form_post") {
    exchange.sendHtml(200, formPostPage(target.redirectUri, all));
    return;
  }
  const url = new URL(target.redirectUri);
  const encoded = new URLSearchParams(all).toString();
  if (target.responseMode === "fragment") {
    url.hash = encoded;
  } else {
    for (const [name, value] of Object.entries(all)) url.searchParams.append(name, value);
  }
  exchange.redirect(url.href);
}

/** An authorize error sent back to the app, as Entra does once the redirect URI is trusted. */
export function respondWithError(
  ctx: EmulatorContext,
  exchange: Exchange,
  target: ResponseTarget,
  error: EntraError,
): void {
  respondToApp(exchange, target, {
    error: error.error,
    error_description: describe(ctx, exchange, error),
    ...(error.suberror ? { error_subcode: error.suberror } : {}),
  });
}

/** Entra's own error page, for errors it cannot send to an untrusted redirect URI. */
export function showErrorPage(ctx: EmulatorContext, exchange: Exchange, error: EntraError): void {
  exchange.sendHtml(
    error.status,
    errorPage({
      aadsts: error.aadsts,
      message: error.description,
      traceId: exchange.traceId,
      correlationId: exchange.correlationId,
      timestamp: entraTimestamp(ctx.clock.now()),
    }),
  );
}
