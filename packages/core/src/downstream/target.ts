/**
 * Where a downstream API's token may go: the configured base URL's origin, at paths under its
 * path. Every request URL is resolved and checked here before a token is even asked for.
 */
import { ENCODED_SEPARATOR } from "../config/downstream.js";
import { EntranceError } from "../errors/entrance-error.js";

/** Whitespace or a control character, which URL parsers drop or read in ways a server may not. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A scheme at the start: the input is an absolute URL (as the URL parser would read it). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** A `.` or `..` path segment, plainly or percent-encoded. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** One downstream API's base URL, and the check of every URL a request names. */
export class DownstreamTarget {
  readonly #base: URL;

  /** `baseUrl` as the configuration validated it: https (or loopback http), path ending in `/`. */
  constructor(
    readonly name: string,
    baseUrl: string,
  ) {
    this.#base = new URL(baseUrl);
  }

  /** The origin, for messages: never a path or query, which could carry a client's data. */
  get origin(): string {
    return this.#base.origin;
  }

  /**
   * The URL to send to: a path is taken relative to the base URL (`"orders"` and `"/orders"` both
   * mean `{baseUrl}orders`), an absolute URL must already be under it. Throws
   * `downstream_url_not_allowed` for anything else — another origin, a protocol-relative
   * `//host`, a path outside the base, a `.`/`..` segment, a backslash, an encoded separator,
   * credentials, whitespace or control characters — before anything is sent.
   */
  resolve(input: string | URL): URL {
    const text = input instanceof URL ? input.href : input;
    if (typeof text !== "string") throw this.#refused("is not a string or URL");
    if (hasControl(text) || text.includes("\\")) {
      throw this.#refused("contains whitespace, a control character or a backslash");
    }
    if (text.startsWith("//")) throw this.#refused("is protocol-relative (//host)");
    const absolute = SCHEME.test(text);
    const path = (absolute ? text.replace(/^[^:]*:\/\/[^/?#]*/, "") : text).split(/[?#]/)[0] ?? "";
    if (path.split("/").some((segment) => DOT_SEGMENT.test(segment))) {
      throw this.#refused("has a '.' or '..' path segment");
    }
    if (ENCODED_SEPARATOR.test(path)) throw this.#refused("has an encoded '/' or '\\'");
    let url: URL;
    try {
      url = absolute ? new URL(text) : new URL(text.replace(/^\//, ""), this.#base);
    } catch {
      throw this.#refused("is not a valid URL");
    }
    if (url.username || url.password) throw this.#refused("carries credentials");
    if (url.origin !== this.#base.origin) {
      throw this.#refused(`is on another origin (${safeOrigin(url)})`);
    }
    const basePath = this.#base.pathname;
    if (!url.pathname.startsWith(basePath) && `${url.pathname}/` !== basePath) {
      throw this.#refused("is outside the API's base path");
    }
    return url;
  }

  #refused(why: string): EntranceError {
    return new EntranceError(
      "downstream_url_not_allowed",
      `A request to the downstream API "${this.name}" was refused before it was sent: its URL ${why}; ` +
        `the token goes only to ${this.#base.origin} under the configured base path. Call it with ` +
        'a path below its baseUrl, such as "orders/42".',
    );
  }
}

/** An origin for a message; `null` origins (`data:`, `file:`) show their scheme only. */
function safeOrigin(url: URL): string {
  return url.origin === "null" ? url.protocol : url.origin;
}
