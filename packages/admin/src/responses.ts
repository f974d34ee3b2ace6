import type { SafeHtml } from "@entrance/core";
import { STYLESHEET, STYLESHEET_VERSION } from "./stylesheet.js";

/**
 * Headers of every page: no script at all, style from the panel's own stylesheet only, forms
 * posting only here, never framed, never cached, no referrer leaking user ids to other sites.
 * The referrer policy is `same-origin`, not `no-referrer`: under `no-referrer` browsers send
 * `Origin: null` with the panel's own form posts, which the origin check then (rightly) refuses.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export function page(
  status: number,
  body: SafeHtml,
  headers: Record<string, string> = {},
): Response {
  return new Response(body.value, { status, headers: { ...PAGE_HEADERS, ...headers } });
}

/** 302 for "go there" (sign in, the panel's home); 303 after an action's POST. */
export function redirect(status: 302 | 303, location: string): Response {
  return new Response(null, { status, headers: { location, "cache-control": "no-store" } });
}

/** The stylesheet: cached for a year under its versioned URL, revalidated otherwise. */
export function stylesheet(version: string | null): Response {
  return new Response(STYLESHEET, {
    status: 200,
    headers: {
      "content-type": "text/css; charset=utf-8",
      "cache-control":
        version === STYLESHEET_VERSION ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      "cross-origin-resource-policy": "same-origin",
    },
  });
}

export function methodNotAllowed(allow: string): Response {
  return new Response("Method not allowed\n", {
    status: 405,
    headers: { allow, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
