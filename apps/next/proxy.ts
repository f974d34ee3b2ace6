import type { NextRequest } from "next/server";
import { securityHeaders, proxy as signedInOnly } from "./lib/entrance";

/** Paths only signed-in visitors may open: the others are sent to sign in and come back. */
const SIGNED_IN_ONLY = ["/profile"];

/**
 * Every page: core's security headers (no framing of the sign-out button or the admin panel, a
 * CSP whose nonce Next puts on its scripts); the paths above: signed-in visitors only.
 */
export async function proxy(request: NextRequest) {
  if (SIGNED_IN_ONLY.includes(request.nextUrl.pathname)) {
    const refusal = await signedInOnly(request);
    if (refusal) return refusal;
  }
  return securityHeaders(request);
}

// Every path but Next's static files, which need no page headers.
export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"] };
