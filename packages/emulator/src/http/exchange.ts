import type { IncomingMessage, ServerResponse } from "node:http";
import { newGuid } from "../ids.js";

/** The largest request body the emulator reads (Entra rejects far smaller ones too). */
const MAX_BODY_BYTES = 1024 * 1024;
const BODY_TIMEOUT_MS = 10_000;

/** A request body that could not be read, answered with `status`. */
export class BadRequestBody extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** One request and its response, with what every handler needs about them. */
export class Exchange {
  readonly url: URL;
  readonly traceId = newGuid();
  readonly correlationId: string;
  #body: Promise<Buffer> | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The listener's own origin, e.g. `https://localhost:8443`. */
    readonly origin: string,
    readonly secure: boolean,
  ) {
    this.url = new URL(req.url ?? "/", origin);
    const given = req.headers["client-request-id"];
    this.correlationId =
      typeof given === "string" && /^[0-9a-f-]{36}$/i.test(given) ? given.toLowerCase() : newGuid();
  }

  get method(): string {
    return this.req.method ?? "GET";
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  cookie(name: string): string | undefined {
    for (const part of (this.header("cookie") ?? "").split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  /** The raw body, read once, bounded in size and time. */
  body(): Promise<Buffer> {
    this.#body ??= readBody(this.req);
    return this.#body;
  }

  /**
   * The parameters of the request: the query string for GET, and for POST the form body (or the
   * query string when the body is empty), as Entra's authorize and logout endpoints accept both.
   */
  async params(): Promise<URLSearchParams> {
    if (this.method !== "POST") return this.url.searchParams;
    const type = (this.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
    const body = await this.body();
    if (body.length === 0) return this.url.searchParams;
    if (type !== "application/x-www-form-urlencoded") {
      throw new BadRequestBody(415, "the body must be application/x-www-form-urlencoded");
    }
    return new URLSearchParams(body.toString("utf8"));
  }

  /** A JSON body, for the control interface. */
  async json(): Promise<unknown> {
    const type = (this.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") throw new BadRequestBody(415, "the body must be JSON");
    const body = await this.body();
    if (body.length === 0) return {};
    try {
      return JSON.parse(body.toString("utf8"));
    } catch {
      throw new BadRequestBody(400, "the body is not valid JSON");
    }
  }

  send(status: number, body: string | Buffer, headers: Record<string, string | string[]>): void {
    if (this.res.headersSent) return;
    const payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    this.res.writeHead(status, { ...headers, "content-length": String(payload.length) });
    this.res.end(this.method === "HEAD" ? undefined : payload);
  }

  sendJson(status: number, value: unknown, headers: Record<string, string | string[]> = {}): void {
    this.send(status, JSON.stringify(value), {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    });
  }

  sendHtml(status: number, html: string, headers: Record<string, string | string[]> = {}): void {
    this.send(status, html, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "content-security-policy":
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; frame-src http: https:; frame-ancestors 'none'; base-uri 'none'",
      ...headers,
    });
  }

  redirect(location: string, headers: Record<string, string | string[]> = {}): void {
    this.send(302, "", { location, "cache-control": "no-store", ...headers });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      reject(new BadRequestBody(408, "the request body did not arrive in time"));
      req.destroy();
    }, BODY_TIMEOUT_MS);
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        clearTimeout(timer);
        reject(new BadRequestBody(413, "the request body is too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
