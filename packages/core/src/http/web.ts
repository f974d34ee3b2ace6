/**
 * Web `Request`/`Response` on the app's public origin, for adapters of `fetch`-style frameworks
 * (Hono, Next.js route handlers): the server may listen on another address than the one people
 * use, and what Entrance builds from a request (sign-in links, `returnTo`) must name the latter.
 */
import type { RequestLike } from "./node.js";

/** The path and query of an absolute URL, as sent (not normalised). */
function pathOf(url: string): string {
  return url.slice(url.indexOf("/", url.indexOf("//") + 2));
}

/** The request as core reads it: its path and query on `baseUrl`, its method and headers. */
export function publicRequestLike(request: Request, baseUrl: string): RequestLike {
  const path = pathOf(request.url);
  return { method: request.method, url: `${baseUrl}${path}`, headers: request.headers };
}

/** A copy of the request on `baseUrl`, with `body` if given (the original's is not read). */
export function publicRequest(request: Request, baseUrl: string, body?: string): Request {
  const headers = new Headers(request.headers);
  if (body !== undefined) headers.delete("content-length");
  return new Request(`${baseUrl}${pathOf(request.url)}`, {
    method: request.method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
}

/**
 * The response with `headers` added where it has none of that name (a route's own win): the
 * same response, or a copy when its headers are immutable (`Response.redirect`, a `fetch`
 * answer).
 */
export function withHeaders(
  response: Response,
  headers: Readonly<Record<string, string>>,
): Response {
  const missing = Object.entries(headers).filter(([name]) => !response.headers.has(name));
  if (missing.length === 0) return response;
  let target = response;
  try {
    for (const [name, value] of missing) target.headers.set(name, value);
  } catch {
    target = new Response(response.body, response);
    for (const [name, value] of missing) target.headers.set(name, value);
  }
  return target;
}

/**
 * A web request's body as text, up to `maxBytes`; null when it is larger, whatever its
 * `Content-Length` says (a chunked body has none), and the rest is not read. `request.text()`
 * would buffer all of it first.
 */
export async function readWebBody(request: Request, maxBytes: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop the sender's stream: nothing more of it is wanted.
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The response with a relative `Location` made absolute on `baseUrl`, for frameworks that accept
 * only absolute redirects (Next.js's proxy); core's own redirects are relative to the app.
 */
export function absoluteRedirect(response: Response, baseUrl: string): Response {
  const location = response.headers.get("location");
  if (!location?.startsWith("/") || location.startsWith("//")) return response;
  const headers = new Headers(response.headers);
  headers.set("location", new URL(location, baseUrl).href);
  return new Response(response.body, { status: response.status, headers });
}
