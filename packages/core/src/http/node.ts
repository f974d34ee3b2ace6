/**
 * Node request ⇄ web `Request`/`Response`, in one place for every Node adapter (Express, Fastify,
 * a plain `http` server).
 */
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from "node:http";
import type { Http2ServerResponse } from "node:http2";

/**
 * What Entrance reads of a request outside its own routes: method, URL and headers. A web
 * `Request` is one; `nodeRequestLike` makes one from a Node request without copying anything.
 */
export interface RequestLike {
  readonly method: string;
  /** The absolute URL, on the app's public origin. */
  readonly url: string;
  readonly headers: { get(name: string): string | null };
}

/** The path and query of a request: where a sign-in started from it comes back to. */
export function returnToOf(request: RequestLike): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}

/** A Node request's headers as web `Headers`, repeated headers kept. */
export function webHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/**
 * A Node request as a {@link RequestLike}: `path` is its path and query as the app sees it
 * (Express: `req.originalUrl`), `baseUrl` the app's public origin. One object per request;
 * headers are read, and the URL built, only when asked for.
 */
export function nodeRequestLike(req: IncomingMessage, path: string, baseUrl: string): RequestLike {
  return new NodeRequestView(req, path, baseUrl);
}

class NodeRequestView implements RequestLike {
  constructor(
    private readonly req: IncomingMessage,
    private readonly path: string,
    private readonly baseUrl: string,
  ) {}

  get method(): string {
    return this.req.method ?? "GET";
  }

  get url(): string {
    // Concatenated, not resolved: a path such as "//other.example/x" stays on this origin.
    return `${this.baseUrl}${this.path.startsWith("/") ? this.path : `/${this.path}`}`;
  }

  get headers(): { get(name: string): string | null } {
    return this;
  }

  get(name: string): string | null {
    const value = this.req.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
}

/** A Node request as a web `Request` (method, URL on `baseUrl`, headers, and `body` if given). */
export function toWebRequest(
  req: IncomingMessage,
  path: string,
  baseUrl: string,
  body?: string,
): Request {
  const headers = webHeaders(req.headers);
  const init: RequestInit = { method: req.method ?? "GET", headers };
  if (body !== undefined) {
    headers.delete("content-length");
    headers.delete("transfer-encoding");
    init.body = body;
  }
  return new Request(nodeRequestLike(req, path, baseUrl).url, init);
}

/**
 * A Node request's body as text, up to `maxBytes`; null when it is larger (the rest is not
 * buffered).
 */
export async function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A web `Response` as a Node framework writes one: its headers with every Set-Cookie kept
 * separate (a list; joined, cookies with dates in them would be cut apart wrongly).
 */
export function nodeHeaders(response: Response): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  return headers;
}

/** Writes a web `Response` to a Node response, every Set-Cookie kept separate. */
export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  const headers = nodeHeaders(response);
  for (const name in headers) res.setHeader(name, headers[name] as string | string[]);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Adds `headers` to a Node response when it writes its head, each only where the app's answer has
 * none of that name (the app's own win). A framework that hands all its headers to `writeHead` at
 * once (@hono/node-server) gets them in that same call: a header set earlier with `setHeader`
 * would send Node down its slower path of merging the two, a cost every page would pay.
 */
export function addHeadersOnWriteHead(
  res: ServerResponse | Http2ServerResponse,
  headers: Readonly<Record<string, string>>,
): void {
  const writeHead = res.writeHead as (this: typeof res, ...args: unknown[]) => typeof res;
  const patched = function (this: typeof res, status: unknown, second?: unknown, third?: unknown) {
    const given = third ?? second;
    if (typeof given === "object" && given !== null) {
      const all = Array.isArray(given)
        ? withMissingInList(given, headers, this)
        : withMissing(given as OutgoingHttpHeaders, headers, this);
      return third === undefined
        ? writeHead.call(this, status, all)
        : writeHead.call(this, status, second, all);
    }
    // No headers given: set ours, which the head then carries.
    for (const name in headers) {
      if (!this.hasHeader(name)) this.setHeader(name, headers[name] as string);
    }
    return writeHead.call(this, status, second, third);
  };
  res.writeHead = patched as typeof res.writeHead;
  // Node's older name for the same method, which does not go through an own `writeHead`.
  if ("writeHeader" in res && typeof res.writeHeader === "function") {
    res.writeHeader = patched as typeof res.writeHeader;
  }
}

/** A copy of `given` with each of `headers` the response has under no name case, given or set. */
function withMissing(
  given: OutgoingHttpHeaders,
  headers: Readonly<Record<string, string>>,
  res: ServerResponse | Http2ServerResponse,
): OutgoingHttpHeaders {
  let copy: OutgoingHttpHeaders | undefined;
  for (const name in headers) {
    if (res.hasHeader(name) || hasKey(given, name)) continue;
    // Object.assign, not a spread: Node writes a head from a spread copy markedly slower.
    copy ??= Object.assign({}, given);
    copy[name] = headers[name];
  }
  return copy ?? given;
}

/**
 * The same for a head given as a list: Node takes a flat one (`[name, value, name, value]`) or
 * one of pairs (`[[name, value]]`); a copy in the same form, with ours appended.
 */
function withMissingInList(
  given: readonly unknown[],
  headers: Readonly<Record<string, string>>,
  res: ServerResponse | Http2ServerResponse,
): unknown[] {
  const pairs = Array.isArray(given[0]);
  const names = pairs
    ? given.map((pair) => String((pair as unknown[])[0]))
    : given.filter((_, i) => i % 2 === 0).map(String);
  const copy = [...given];
  for (const name in headers) {
    if (res.hasHeader(name) || hasName(names, name)) continue;
    const value = headers[name] as string;
    if (pairs) copy.push([name, value]);
    else copy.push(name, value);
  }
  return copy;
}

/** Whether `headers` has `name` (lower case) as a key in any case. */
function hasKey(headers: OutgoingHttpHeaders, name: string): boolean {
  for (const key in headers) {
    if (key.length === name.length && key.toLowerCase() === name) return true;
  }
  return false;
}

/** Whether `names` has `name` (lower case) in any case. */
function hasName(names: readonly string[], name: string): boolean {
  for (const key of names) {
    if (key.length === name.length && key.toLowerCase() === name) return true;
  }
  return false;
}
