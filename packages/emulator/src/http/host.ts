import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The names the emulator answers to. It listens on loopback only (see listen.ts) and has no option
 * to listen elsewhere; if one is added, its host name belongs here too.
 */
const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** A host name or address literal with an optional port: no user info, path, query or spaces. */
const HOST_SYNTAX = /^[a-z0-9.-]+(?::\d*)?$|^\[[0-9a-f:.]+\](?::\d*)?$/i;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** Whether the emulator answers for a host name besides loopback (an external tenant's host). */
export type OwnsHost = (hostname: string) => boolean;

/**
 * Wraps a server's request listener so that it answers only requests that name loopback, and
 * every other one with 421 Misdirected Request.
 *
 * 421 rather than 403: the request is not forbidden to someone, it was sent to a server that is not
 * the authority for the host it names (RFC 9110 §15.5.20), which is exactly the DNS-rebinding case.
 * The body names no user, tenant or app, and is not cached.
 */
export function loopbackOnly(listener: Listener, owns?: OwnsHost): Listener {
  return (req, res) => {
    if (namesLoopback(req, owns)) {
      listener(req, res);
      return;
    }
    const body =
      "Misdirected Request: the emulator answers only to localhost, 127.0.0.1 and [::1].\n";
    res.writeHead(421, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": String(Buffer.byteLength(body)),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

/**
 * Whether a request names the emulator itself: loopback, or a name `owns` claims (an External ID
 * tenant's `….ciamlogin.com` host, on the https listener). Such a name reaches this listener only
 * when the machine's owner routes it here (the emulator's host proxy), never by a page's DNS. A request whose Host header (or absolute-form
 * target) names another host is refused before any route runs: this is what defeats DNS
 * rebinding, where a page on an attacker's domain that resolves to 127.0.0.1 is loaded in a
 * browser on this machine and reads the account list as if it were same-origin. The browser then
 * sends the attacker's name as Host, which no loopback listener could otherwise tell apart.
 */
function namesLoopback(req: IncomingMessage, owns: OwnsHost | undefined): boolean {
  const named = (host: string) =>
    isLoopbackHost(host) || (owns !== undefined && isOwned(host, owns));
  const target = req.url ?? "/";
  // Absolute-form (`GET http://host/path`): the target's authority is the one the request names
  // (RFC 9112 §3.2.2), so it must be loopback as well as the Host header.
  if (!target.startsWith("/") && target !== "*") {
    const absolute = parseUrl(target);
    if (!absolute || !named(absolute.host)) return false;
  }
  const host = req.headers.host;
  return host !== undefined && named(host);
}

/**
 * `localhost`, `127.0.0.1` or `[::1]`, any letter case, with or without a port. IPv6 and IPv4
 * literals are compared in the WHATWG URL parser's normal form, so `[0:0:0:0:0:0:0:1]` counts as
 * `[::1]`.
 */
function isLoopbackHost(host: string): boolean {
  if (!HOST_SYNTAX.test(host)) return false;
  const url = parseUrl(`http://${host}`);
  return url !== undefined && LOOPBACK_HOSTNAMES.has(url.hostname);
}

function isOwned(host: string, owns: OwnsHost): boolean {
  if (!HOST_SYNTAX.test(host)) return false;
  const url = parseUrl(`https://${host}`);
  return url !== undefined && owns(url.hostname);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
