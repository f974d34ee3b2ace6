/**
 * The links every page of an app carries — sign-in, sign-up, B2C profile edit — for one request
 * URL. Building them parses the URL (and its return path) each time; a signed-in app serves the
 * same few pages over and over, so each URL's links are built once per core and looked up after.
 * They depend on nothing but the URL and the core's configuration.
 *
 * What stays in memory: the URLs of up to 256 pages per core, never with a query string, and their
 * links. An app whose paths carry secrets (`/invite/<token>`) keeps the latest of those here until
 * the cache starts over; such links are better given as a query (`/invite?token=…`).
 */
import type { Entrance } from "./entrance.js";
import { type RequestLike, returnToOf } from "./http/node.js";

/** The links for one page, each returning to it. */
export interface PageLinks {
  readonly loginUrl: string;
  readonly signUpUrl: string;
  /** Null when the app has no profile-edit policy. */
  readonly profileUrl: string | null;
}

/** Pages remembered per core; the cache starts over when full. */
const MAX_ENTRIES = 256;
/** Longer URLs are built each time, not kept: they are rare and would hold memory. */
const MAX_KEY_LENGTH = 512;

const perCore = new WeakMap<Entrance, Map<string, PageLinks>>();

/** The links of the page `request` is for, each returning to its path and query. */
export function pageLinks(core: Entrance, request: RequestLike): PageLinks {
  const url = request.url;
  let cache = perCore.get(core);
  if (!cache) {
    cache = new Map();
    perCore.set(core, cache);
  }
  const known = cache.get(url);
  if (known) return known;
  const returnTo = returnToOf(request);
  const links: PageLinks = Object.freeze({
    loginUrl: core.loginUrl(returnTo),
    signUpUrl: core.signUpUrl(returnTo),
    profileUrl: core.profileUrl(returnTo),
  });
  // Only URLs without a query are kept: a query varies freely and may carry what the app would
  // not want held in memory after the request.
  if (url.length <= MAX_KEY_LENGTH && !url.includes("?")) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(url, links);
  }
  return links;
}
