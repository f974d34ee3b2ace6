/**
 * The public origin of a request — what the redirect URI, sign-in links, the post-logout
 * redirect and the same-site check are built on. With `baseUrl` set it is that, whatever the
 * request says. Without it, it is read per request: from the `Host` header and whether the
 * connection is TLS, or, when the connection comes from a proxy named in `trustProxy`, from the
 * forwarded scheme and host that proxy wrote; and it counts only when its host is one of
 * `allowedHosts` and its scheme https (http too when every allowed host is a loopback name).
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP, isIPv4, isIPv6 } from "node:net";

/** The TCP connection a request came on, as the server saw it (never a header). */
export interface Peer {
  /** The socket's remote address: the proxy's, behind one. */
  readonly address: string | undefined;
  /** Whether the connection to this server is TLS. */
  readonly tls: boolean;
}

/** What the resolution reads of the configuration. */
export interface OriginSettings {
  readonly baseUrl?: string | undefined;
  readonly trustProxy: readonly string[];
  readonly allowedHosts: readonly string[];
}

interface Headerish {
  get(name: string): string | null;
}

/**
 * Where a refused request is put by an adapter: an origin no allowed host can name (`.invalid`
 * is reserved, RFC 6761, and refused in `allowedHosts`), which core then answers with
 * `host_not_allowed`.
 */
export const REFUSED_ORIGIN = "http://host-not-allowed.invalid";

/** The `trustProxy` shorthands. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  private: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** A `host` or `host:port` as a browser sends it: a DNS name, IPv4, or [IPv6]. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/** Whether `hostname` (no port; IPv6 in brackets) is a loopback name. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    hostname === "[::1]" ||
    (isIPv4(hostname) && hostname.startsWith("127."))
  );
}

/**
 * Why a `trustProxy` entry cannot be used, or null: an IP address, a CIDR range, `loopback` or
 * `private`.
 */
export function trustProxyProblem(entry: string): string | null {
  if (entry in NAMED_RANGES) return null;
  const [address = "", bits, extra] = entry.split("/");
  const version = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
  if (version === 0 || extra !== undefined) {
    return `"${entry}" is not an IP address, a CIDR range (10.0.0.0/8), "loopback" or "private"`;
  }
  if (bits !== undefined) {
    const max = version === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) {
      return `"${entry}" has a prefix length that is not 0–${max}`;
    }
  }
  return null;
}

/**
 * Why an `allowedHosts` entry cannot be used, or null: `host` or `host:port`, lower-case, no
 * scheme, path or wildcard.
 */
export function allowedHostProblem(entry: string): string | null {
  if (!HOST.test(entry)) {
    return `"${entry}" is not a host name or host:port (no scheme, path or wildcard), e.g. app.example.com or localhost:3000`;
  }
  if (hostnameOf(entry).endsWith(".invalid")) return `"${entry}" is a reserved name (.invalid)`;
  if (entry.endsWith(":443")) return `"${entry}": write it without :443, the default port`;
  return null;
}

function hostnameOf(host: string): string {
  const colon = host.lastIndexOf(":");
  return colon > host.lastIndexOf("]") ? host.slice(0, colon) : host;
}

/** The peer of a Node request: its socket's remote address and whether it is TLS. */
export function nodePeer(req: IncomingMessage): Peer {
  const socket = req.socket as IncomingMessage["socket"] & { encrypted?: boolean };
  return { address: socket.remoteAddress, tls: socket.encrypted === true };
}

/** A Node request's headers as `get(name)`, repeated ones joined as web `Headers` joins them. */
function nodeHeaders(req: IncomingMessage): Headerish {
  return {
    get(name) {
      const value = req.headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

/**
 * The app's public origins, per request. Adapters put a request on `ofNode`/`ofWeb`'s origin
 * when they hand it to core; core takes only `checked`'s answer as the origin it builds on.
 */
export class PublicOrigins {
  readonly #baseUrl: string | undefined;
  readonly #trusted = new BlockList();
  readonly #trustsAny: boolean;
  readonly #allowed: ReadonlySet<string>;
  /** Whether http is accepted: only when every allowed host is a loopback name. */
  readonly #httpAllowed: boolean;
  /** Each allowed host's origin, for the common case of `checked` without parsing a URL. */
  readonly #allowedOrigins: readonly string[];
  /**
   * Peer addresses already judged: a proxy's few addresses recur on every request, and
   * `BlockList.check` costs microseconds. Bounded: cleared when full.
   */
  readonly #judged = new Map<string, boolean>();

  constructor(settings: OriginSettings) {
    this.#baseUrl = settings.baseUrl;
    for (const entry of settings.trustProxy) {
      for (const range of NAMED_RANGES[entry] ?? [entry]) {
        const [address = "", bits] = range.split("/");
        const type = isIPv4(address) ? "ipv4" : "ipv6";
        if (bits === undefined) this.#trusted.addAddress(address, type);
        else this.#trusted.addSubnet(address, Number(bits), type);
      }
    }
    this.#trustsAny = settings.trustProxy.length > 0;
    this.#allowed = new Set(settings.allowedHosts.map((h) => h.toLowerCase()));
    this.#httpAllowed =
      settings.allowedHosts.length > 0 &&
      settings.allowedHosts.every((h) => isLoopbackHost(hostnameOf(h.toLowerCase())));
    const scheme = this.#httpAllowed ? ["http", "https"] : ["https"];
    this.#allowedOrigins = [...this.#allowed].flatMap((host) =>
      scheme.map((s) => new URL(`${s}://${host}`).origin),
    );
  }

  /** Whether the origin is `baseUrl` (fixed) rather than read per request. */
  get fixed(): string | undefined {
    return this.#baseUrl;
  }

  /** The public origin of a Node request, or {@link REFUSED_ORIGIN}. */
  ofNode(req: IncomingMessage): string {
    return this.#baseUrl ?? this.resolve(nodeHeaders(req), nodePeer(req));
  }

  /**
   * The public origin of a web request whose connection is `peer`, or {@link REFUSED_ORIGIN}.
   * Without a peer (a runtime that gives no socket) no proxy is trusted: the host is `Host`, the
   * scheme the one the runtime put in `request.url`.
   */
  ofWeb(request: Request, peer: Peer | undefined): string {
    if (this.#baseUrl !== undefined) return this.#baseUrl;
    return this.resolve(
      request.headers,
      peer ?? { address: undefined, tls: request.url.startsWith("https:") },
    );
  }

  /**
   * The origin for these headers and connection (`baseUrl` unset). A trusted proxy's forwarded
   * scheme and host win over the connection's; from anyone else they are ignored. The result is
   * {@link REFUSED_ORIGIN} unless its host is allowed and its scheme acceptable.
   */
  resolve(headers: Headerish, peer: Peer | undefined): string {
    let scheme = peer?.tls ? "https" : "http";
    let host = headers.get("host");
    if (peer && this.#trusts(peer.address)) {
      // The last value of each: the one the nearest proxy, the trusted one, appended.
      const proto = headers.get("x-forwarded-proto");
      const forwardedHost = headers.get("x-forwarded-host");
      if (proto !== null || forwardedHost !== null) {
        if (proto !== null) scheme = lastValue(proto).toLowerCase();
        if (forwardedHost !== null) host = lastValue(forwardedHost);
      } else {
        const rfc7239 = headers.get("forwarded");
        if (rfc7239 !== null) {
          const element = lastForwarded(rfc7239);
          if (element.scheme !== undefined) scheme = element.scheme;
          if (element.host !== undefined) host = element.host;
        }
      }
    }
    if (!host) return REFUSED_ORIGIN;
    const origin = `${scheme}://${host.toLowerCase()}`;
    return this.#acceptable(scheme, host.toLowerCase()) ? origin : REFUSED_ORIGIN;
  }

  /**
   * The origin core builds on for a request at `url`: `baseUrl` when set (the URL's own origin
   * is then ignored, as it always was); else the URL's origin when it is allowed; else null,
   * which core answers with `host_not_allowed`.
   */
  checked(url: string): string | null {
    if (this.#baseUrl !== undefined) return this.#baseUrl;
    for (const origin of this.#allowedOrigins) {
      if (url.startsWith(origin) && (url.length === origin.length || url[origin.length] === "/")) {
        return origin;
      }
    }
    const parsed = URL.parse(url);
    if (!parsed) return null;
    const scheme = parsed.protocol.slice(0, -1);
    return this.#acceptable(scheme, parsed.host) ? parsed.origin : null;
  }

  /** Every origin the app answers on (`baseUrl`, or one per allowed host): its redirect URIs. */
  get all(): readonly string[] {
    if (this.#baseUrl !== undefined) return [this.#baseUrl];
    return [...this.#allowed].map((host) => {
      const scheme = this.#httpAllowed ? "http" : "https";
      return new URL(`${scheme}://${host}`).origin;
    });
  }

  #acceptable(scheme: string, host: string): boolean {
    if (scheme !== "https" && !(scheme === "http" && this.#httpAllowed)) return false;
    if (this.#allowed.has(host)) return true;
    if (!HOST.test(host)) return false;
    // `app.example.com` names the default port; `app.example.com:443` on https is the same.
    const colon = host.lastIndexOf(":");
    if (colon <= host.lastIndexOf("]")) return false;
    const port = host.slice(colon + 1);
    return port === (scheme === "https" ? "443" : "80") && this.#allowed.has(host.slice(0, colon));
  }

  #trusts(address: string | undefined): boolean {
    if (!this.#trustsAny || !address) return false;
    let trusted = this.#judged.get(address);
    if (trusted === undefined) {
      // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
      const plain =
        address.startsWith("::ffff:") && isIPv4(address.slice(7)) ? address.slice(7) : address;
      trusted = isIP(plain) !== 0 && this.#trusted.check(plain, isIPv4(plain) ? "ipv4" : "ipv6");
      if (this.#judged.size >= 1024) this.#judged.clear();
      this.#judged.set(address, trusted);
    }
    return trusted;
  }
}

/**
 * The scheme and host of the last element of an RFC 7239 `Forwarded` header: the nearest proxy's
 * (each proxy appends; earlier elements came from whoever spoke to it, the client included). Read
 * only when the proxy sends no `X-Forwarded-Proto` or `X-Forwarded-Host`, which nginx, Caddy,
 * Traefik and cloud load balancers send. A scheme other than http or https is kept, so that the
 * request is refused rather than guessed.
 */
function lastForwarded(header: string): { scheme?: string; host?: string } {
  const out: { scheme?: string; host?: string } = {};
  for (const pair of lastElement(header).split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim().toLowerCase();
    const value = unquote(pair.slice(eq + 1).trim());
    if (name === "proto") out.scheme = value.toLowerCase();
    else if (name === "host") out.host = value;
  }
  return out;
}

/** The last comma-separated value of a header. */
function lastValue(header: string): string {
  return header.slice(header.lastIndexOf(",") + 1).trim();
}

/** The last comma-separated element of a `Forwarded` header, commas in quoted strings kept. */
function lastElement(header: string): string {
  let quoted = false;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '"' && header[i - 1] !== "\\") quoted = !quoted;
    else if (c === "," && !quoted) start = i + 1;
  }
  return header.slice(start);
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1).replace(/\\(.)/g, "$1")
    : value;
}
