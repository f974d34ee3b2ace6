/**
 * Reads one cookie from a Cookie header without decoding surprises; undefined when absent. Scans
 * the header in place (it is read on every request): no arrays or pieces are allocated.
 */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let from = 0;
  while (from < header.length) {
    let end = header.indexOf(";", from);
    if (end < 0) end = header.length;
    const eq = header.indexOf("=", from);
    if (eq > from && eq < end && header.slice(from, eq).trim() === name) {
      const value = header.slice(eq + 1, end).trim();
      return /^[A-Za-z0-9_-]{1,256}$/.test(value) ? value : undefined;
    }
    from = end + 1;
  }
  return undefined;
}

export interface CookieOptions {
  readonly secure: boolean;
  /** Seconds; 0 deletes the cookie; absent makes a browser-session cookie. */
  readonly maxAge?: number;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Path=/ always; Secure under https. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Lax"];
  if (options.secure) parts.push("Secure");
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  return parts.join("; ");
}

/** Cookie names: under https the `__Host-` prefix pins them to this host, path / and Secure. */
export function cookieNames(secure: boolean) {
  const prefix = secure ? "__Host-" : "";
  return { session: `${prefix}entrance-session`, binding: `${prefix}entrance-binding` } as const;
}
