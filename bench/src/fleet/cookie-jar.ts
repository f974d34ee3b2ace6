/** The cookies one app set, as a browser keeps them for that origin (name and value only). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Takes the `Set-Cookie` headers of a response: sets, replaces, and deletes expired ones. */
  take(setCookies: readonly string[] | undefined): void {
    for (const line of setCookies ?? []) {
      const [pair = "", ...attributes] = line.split(";");
      const equals = pair.indexOf("=");
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      if (attributes.some(isExpiry)) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(equals + 1).trim());
    }
  }

  /** The `Cookie` header to send, or undefined when there is none. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/** `Max-Age=0` (or negative), or an `Expires` in the past: the server deletes the cookie. */
function isExpiry(attribute: string): boolean {
  const [key = "", value = ""] = attribute.split("=").map((part) => part.trim());
  if (key.toLowerCase() === "max-age") return Number(value) <= 0;
  if (key.toLowerCase() === "expires") return Date.parse(value) <= Date.now();
  return false;
}
