import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { GraphError } from "./errors.js";

/** Graph's JSON media type, parameters included, as the real service sends it. */
const GRAPH_JSON =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/**
 * Headers on every Graph response: the ids a support case asks for, and CORS open to any origin
 * because Graph authenticates by bearer token, never by cookie.
 */
export function graphHeaders(exchange: Exchange): Record<string, string> {
  return {
    "request-id": exchange.traceId,
    "client-request-id": clientRequestId(exchange),
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "request-id, client-request-id, ETag, WWW-Authenticate",
  };
}

/** The caller's `client-request-id` when it sent one, else the request id (as Graph does). */
function clientRequestId(exchange: Exchange): string {
  return exchange.header("client-request-id") === undefined
    ? exchange.traceId
    : exchange.correlationId;
}

/** Sends an OData JSON body with Graph's headers. */
export function sendGraphJson(exchange: Exchange, status: number, body: unknown): void {
  exchange.sendJson(status, body, {
    ...graphHeaders(exchange),
    "content-type": GRAPH_JSON,
    "odata-version": "4.0",
  });
}

/** Graph's `innerError.date`: UTC to the second, without a zone suffix. */
function graphDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** Sends Graph's error envelope `{error: {code, message, innerError}}`. */
export function sendGraphError(ctx: EmulatorContext, exchange: Exchange, error: GraphError): void {
  exchange.sendJson(
    error.status,
    {
      error: {
        code: error.code,
        message: error.message,
        innerError: {
          date: graphDate(ctx.clock.now()),
          "request-id": exchange.traceId,
          "client-request-id": clientRequestId(exchange),
        },
      },
    },
    { ...graphHeaders(exchange), "content-type": GRAPH_JSON, ...error.headers },
  );
}

/** Answers a CORS preflight, so that single-page apps can call the emulator's Graph directly. */
export function sendPreflight(exchange: Exchange, methods: readonly string[]): void {
  exchange.send(204, "", {
    ...graphHeaders(exchange),
    "access-control-allow-methods": methods.join(", "),
    "access-control-allow-headers":
      exchange.header("access-control-request-headers") ?? "authorization, content-type",
    "access-control-max-age": "3600",
  });
}
