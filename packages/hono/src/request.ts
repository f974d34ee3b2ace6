import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerResponse } from "node:http2";
import { type PublicOrigins, publicRequest } from "@entrance/core";
import type { Context } from "hono";

/** A web `Request` on the app's public `origin`, with `body` if given (the raw body is not read). */
export function webRequest(c: Context, origin: string, body?: string): Request {
  return publicRequest(c.req.raw, origin, body);
}

/**
 * The request's public origin (`baseUrl`, or read from the request and checked): on Node the
 * socket @hono/node-server binds says who connected and whether over TLS; elsewhere only `Host`.
 */
export function originOf(c: Context, origins: PublicOrigins): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming ? origins.ofNode(incoming) : origins.ofWeb(c.req.raw, undefined);
}

/** What @hono/node-server binds to every request: the Node request and response. */
interface NodeBindings {
  readonly incoming?: IncomingMessage;
  readonly outgoing?: ServerResponse | Http2ServerResponse;
}

/** The client's address where the runtime tells it: @hono/node-server binds the Node request. */
export function clientIp(c: Context): string | null {
  const bindings = c.env as NodeBindings | undefined;
  return bindings?.incoming?.socket.remoteAddress ?? null;
}

/** The Node response @hono/node-server writes Hono's answer to; none elsewhere (`app.request`). */
export function nodeResponse(c: Context): ServerResponse | Http2ServerResponse | undefined {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  return outgoing && !outgoing.headersSent ? outgoing : undefined;
}
