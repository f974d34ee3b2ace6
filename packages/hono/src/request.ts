import type { IncomingMessage } from "node:http";
import type { RequestLike } from "@entrance/core";
import type { Context } from "hono";

/**
 * The request as core reads it: the path and query on the app's public origin (`baseUrl`), so
 * that what Entrance builds from it never names the address the server happens to listen on.
 */
export function requestLike(c: Context, baseUrl: string): RequestLike {
  const url = c.req.url;
  const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  return { method: c.req.method, url: `${baseUrl}${path}`, headers: c.req.raw.headers };
}

/** A web `Request` on the public origin, with `body` if given (the raw body is not read). */
export function webRequest(c: Context, baseUrl: string, body?: string): Request {
  const { method, url } = requestLike(c, baseUrl);
  const headers = new Headers(c.req.raw.headers);
  if (body !== undefined) headers.delete("content-length");
  return new Request(url, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** The client's address where the runtime tells it: @hono/node-server binds the Node request. */
export function clientIp(c: Context): string | null {
  const bindings = c.env as { incoming?: IncomingMessage } | undefined;
  return bindings?.incoming?.socket.remoteAddress ?? null;
}

/** Adds headers to the response, keeping any the route set itself. */
export function addHeaders(c: Context, headers: Readonly<Record<string, string>>): void {
  const missing = Object.entries(headers).filter(([name]) => !c.res.headers.has(name));
  if (missing.length === 0) return;
  try {
    for (const [name, value] of missing) c.res.headers.set(name, value);
  } catch {
    // A response with immutable headers (Response.redirect, a fetch answer): copy it first.
    c.res = new Response(c.res.body, c.res);
    for (const [name, value] of missing) c.res.headers.set(name, value);
  }
}
