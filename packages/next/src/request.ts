import type { RequestLike } from "@entrance/core";
import { headers } from "next/headers.js";

/**
 * The path and query of a request's URL. Next builds `request.url` from the Host header, which the
 * client chooses; Entrance reads only the path and puts it on the app's public origin.
 */
function pathOf(request: Request): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}

/** A web `Request` on the public origin `baseUrl`, with the method and headers (no body). */
export function onBaseUrl(request: Request, baseUrl: string): Request {
  return new Request(`${baseUrl}${pathOf(request)}`, {
    method: request.method,
    headers: request.headers,
  });
}

/** A mounted tool's forms are small; a larger body is refused (413) rather than buffered. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * `request` on the public origin `baseUrl` with its body read, up to 16 KiB; null when larger (the
 * rest is not read).
 */
export async function withBody(request: Request, baseUrl: string): Promise<Request | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of (request.body ?? []) as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  return new Request(`${baseUrl}${pathOf(request)}`, {
    method: request.method,
    headers,
    ...(body ? { body } : {}),
  });
}

/** The request as core reads it outside its own routes: method, URL on `baseUrl`, headers. */
export function requestLike(request: Request, baseUrl: string): RequestLike {
  return { method: request.method, url: `${baseUrl}${pathOf(request)}`, headers: request.headers };
}

/** The current request's headers in a server component or server action (`next/headers`). */
export const currentHeaders: () => Promise<RequestLike["headers"]> = headers;

/**
 * The current request as core reads it. Next does not tell server components the path, so links
 * built from it return to `/` unless given a `returnTo`.
 */
export function currentRequest(current: RequestLike["headers"], baseUrl: string): RequestLike {
  return { method: "GET", url: `${baseUrl}/`, headers: current };
}

/** Next's proxy takes only absolute redirects: core's relative `Location` put on `baseUrl`. */
export function absoluteRedirect(response: Response, baseUrl: string): Response {
  const location = response.headers.get("location");
  if (!location?.startsWith("/")) return response;
  const headers = new Headers(response.headers);
  headers.set("location", new URL(location, baseUrl).href);
  return new Response(response.body, { status: response.status, headers });
}
