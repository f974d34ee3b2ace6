import type { IncomingMessage } from "node:http";
import { publicRequest } from "@entrance/core";
import type { Context } from "hono";

/** A web `Request` on the app's public origin (`baseUrl`), with `body` if given (the raw body is not read). */
export function webRequest(c: Context, baseUrl: string, body?: string): Request {
  return publicRequest(c.req.raw, baseUrl, body);
}

/** The client's address where the runtime tells it: @hono/node-server binds the Node request. */
export function clientIp(c: Context): string | null {
  const bindings = c.env as { incoming?: IncomingMessage } | undefined;
  return bindings?.incoming?.socket.remoteAddress ?? null;
}
