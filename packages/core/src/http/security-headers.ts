/**
 * Security headers: the ones Entrance's own pages send, and the same set for an app's pages.
 *
 * `form-action` must name the identity provider's origin besides the app's: sign-out is a form
 * POST answered by a redirect to Entra's end-session endpoint, and browsers apply `form-action` to
 * every redirect of a form submission — with `'self'` alone, Chromium blocks the hop to Entra and
 * the user stays signed in there (the next "Sign in" would silently pick them again).
 */

/** A Content-Security-Policy as directives; a directive set to null is left out. */
export type CspDirectives = Readonly<Record<string, readonly string[] | null>>;

/** The policy of Entrance's own pages (sign-in errors, sign-out confirmation). */
const ENTRANCE_PAGES: CspDirectives = {
  "default-src": ["'none'"],
  "style-src": ["'unsafe-inline'"],
  "script-src": ["'self'"],
  "frame-ancestors": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'self'"],
};

/**
 * The default policy for an app's pages: its own scripts, styles (inline ones too, which
 * server-rendered apps commonly use), images (and `data:`) and forms; no plugins, no framing.
 */
export const APP_CSP: CspDirectives = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'", "'unsafe-inline'"],
  "img-src": ["'self'", "data:"],
  "object-src": ["'none'"],
  "base-uri": ["'none'"],
  "frame-ancestors": ["'none'"],
  "form-action": ["'self'"],
};

/** Serializes directives, adding `formTargets` (origins) to `form-action`. */
export function contentSecurityPolicy(
  directives: CspDirectives,
  formTargets: readonly string[],
): string {
  const merged: Record<string, readonly string[] | null> = { ...directives };
  const formAction = merged["form-action"];
  if (formAction) merged["form-action"] = [...new Set([...formAction, ...formTargets])];
  return Object.entries(merged)
    .filter((entry): entry is [string, readonly string[]] => entry[1] !== null)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
}

/** Headers of Entrance's own HTML pages, with the identity provider's origins as form targets. */
export function entrancePageHeaders(formTargets: readonly string[]): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    // Not `no-referrer`: under it Chromium sends `Origin: null` with a same-origin form POST,
    // which sign-out's same-site check then refuses.
    "referrer-policy": "same-origin",
    "content-security-policy": contentSecurityPolicy(ENTRANCE_PAGES, formTargets),
  };
}

/**
 * Headers for an app's pages: the same protections as Entrance's own (CSP, no framing, nosniff,
 * referrer policy), with `directives` replacing the default policy's where given.
 */
export function appSecurityHeaders(
  formTargets: readonly string[],
  directives: CspDirectives = {},
): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy({ ...APP_CSP, ...directives }, formTargets),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    // Not `same-origin`: that would cut the sign-in popup off from the page that opened it.
    "cross-origin-opener-policy": "same-origin-allow-popups",
  };
}

/** The key of the app's security headers when no directives are given. */
const NO_DIRECTIVES: CspDirectives = Object.freeze({});

/**
 * The app pages' headers, made once per directives object and per metadata document (the form
 * targets come from it): adapters ask on every page with the same directives, and parsing the
 * targets and joining the policy each time cost more than the rest of the page's headers. Each
 * caller gets a copy. Directives changed in place after the first call are not seen: pass a new
 * object instead.
 */
export class AppSecurityHeaders {
  readonly #made = new WeakMap<
    CspDirectives,
    { readonly document: object; readonly headers: Record<string, string> }
  >();

  /** The headers for `directives`, with the form targets of `document`. */
  of(
    document: object,
    formTargets: () => readonly string[],
    directives?: CspDirectives,
  ): Record<string, string> {
    const key = directives ?? NO_DIRECTIVES;
    let made = this.#made.get(key);
    if (made?.document !== document) {
      made = { document, headers: appSecurityHeaders(formTargets(), directives) };
      this.#made.set(key, made);
    }
    return { ...made.headers };
  }
}
