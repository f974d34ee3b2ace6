import type { Request } from "express";

/** Whether a request wants JSON (an API call or XHR) rather than a page. */
export function wantsJson(req: Request): boolean {
  if (req.xhr) return true;
  return req.accepts(["html", "json"]) === "json";
}
