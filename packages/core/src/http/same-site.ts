/** The request headers a same-site check reads. */
export interface HeaderSource {
  readonly headers: { get(name: string): string | null };
}

/**
 * Whether a state-changing request (a form POST) comes from this site, by what browsers send:
 * `Origin` on every POST and `Sec-Fetch-Site` on every request. Either one naming anything but
 * this origin refuses it — `Origin: null` (a sandboxed or privacy-stripped page) and
 * `Sec-Fetch-Site: none` (a navigation the user started, which never posts one of our forms)
 * included. A request with neither header is not a browser's cross-site request (an API client,
 * a test) and passes. `publicOrigin` is the request's own (`PublicOrigins.checked`): with
 * several allowed hosts, a form posted from one of them to another is cross-origin too.
 */
export function fromThisSite(request: HeaderSource, publicOrigin: string): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== new URL(publicOrigin).origin) return false;
  const site = request.headers.get("sec-fetch-site");
  return site === null || site === "same-origin";
}
