import { type CspDirectives, noncedPageHeaders, type WebAdapter } from "@entrance/core";
import { NextResponse } from "next/server.js";

/**
 * For `proxy.ts`: lets the request through with core's security headers on the app's pages (CSP
 * letting sign-out forms reach Entra, `frame-ancestors 'none'` and `X-Frame-Options: DENY` so no
 * site can frame a sign-out or admin button, nosniff, referrer and opener policies). `script-src`
 * gets a fresh nonce: Next reads it from the request's policy and puts it on the inline scripts
 * that start its pages, which therefore render dynamically (pages that call `auth()` do anyway).
 * As the other adapters' middleware does, a signed-in request's response gets `no-store`, and a
 * store that fails gets core's answer (a 503 or 500 page, or JSON) rather than Next's.
 */
export async function pageHeaders(
  adapter: WebAdapter,
  request: Request,
  directives?: CspDirectives,
): Promise<Response> {
  const headers = await noncedPageHeaders(adapter, request, directives);
  if (headers instanceof Response) return headers;
  const response = NextResponse.next({ request: { headers: headers.request } });
  for (const [name, value] of Object.entries(headers.response)) response.headers.set(name, value);
  return response;
}
