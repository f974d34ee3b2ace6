import { prefersJson, webHeaders } from "@entrance/core";
import type { Request } from "express";

/** Whether a request wants JSON (an API call or XHR) rather than a page: core's one rule. */
export function wantsJson(req: Request): boolean {
  return prefersJson(webHeaders(req.headers));
}

/** Only what Entrance reads: method, URL, headers. Bodies are never needed. */
export function toWebRequest(req: Request, baseUrl: string): globalThis.Request {
  return new globalThis.Request(new URL(req.originalUrl, baseUrl), {
    method: req.method,
    headers: webHeaders(req.headers),
  });
}
