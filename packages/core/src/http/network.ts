import { Agent, request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";
import { EntranceError } from "../errors/entrance-error.js";
import { httpClientSpan } from "../telemetry/otel.js";

/** An extra certificate authority to trust for calls to the identity provider. */
export interface TrustedAuthority {
  readonly kind: "trusted-authority";
  readonly pem: string;
}

/**
 * Trusts one more certificate authority — for the local Entra ID emulator, whose https
 * certificate comes from a CA it creates — on top of the public roots, for Entrance's calls only.
 * Never needed with the real Entra ID.
 *
 * @example
 * entrance({ trust: trustCertificateAuthority(readFileSync(".entrance/emulator/ca.pem", "utf8")) })
 */
export function trustCertificateAuthority(pem: string): TrustedAuthority {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new EntranceError("config_invalid", "trustCertificateAuthority needs a PEM certificate");
  }
  return { kind: "trusted-authority", pem };
}

export interface NetworkResponse<T> {
  readonly headers: Record<string, string>;
  readonly body: T;
  readonly status: number;
}

/** The network client Entrance uses for MSAL and for metadata: bounded, retrying, explicit trust. */
export interface NetworkClient {
  sendGetRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string> },
    timeout?: number,
  ): Promise<NetworkResponse<T>>;
  sendPostRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<NetworkResponse<T>>;
}

export interface NetworkOptions {
  readonly trust?: TrustedAuthority | undefined;
  /** Milliseconds for a whole request and response. */
  readonly timeoutMs?: number;
  /** Extra tries of a GET after a network error or a 5xx. */
  readonly retries?: number;
}

const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * A node:https client in MSAL's INetworkModule shape. GETs are retried on network errors and 5xx
 * answers (they are idempotent); a POST is retried only when a kept-alive socket turned out to be
 * closed before the request went out, which the server never saw.
 */
export function createNetworkClient(options: NetworkOptions = {}): NetworkClient {
  const agent = createAgent(options.trust);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;

  const send = async <T>(
    method: "GET" | "POST",
    url: string,
    headers: Record<string, string>,
    body?: string,
  ) => {
    for (let attempt = 0; ; attempt++) {
      try {
        // One span per attempt, as the HTTP conventions count retries.
        const response = await httpClientSpan(
          method,
          url,
          () => once(agent, method, url, headers, body, timeoutMs),
          (answer) => answer.status,
        );
        if (method === "GET" && response.status >= 500 && attempt < retries) continue;
        return parse<T>(response, url);
      } catch (error) {
        const stale = (error as { staleSocket?: boolean }).staleSocket === true;
        if ((method === "GET" || stale) && attempt < retries) continue;
        throw new EntranceError(
          "identity_provider_unavailable",
          `${method} ${redact(url)} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    }
  };
  return {
    sendGetRequestAsync: (url, opts) => send("GET", url, opts?.headers ?? {}),
    sendPostRequestAsync: (url, opts) => send("POST", url, opts?.headers ?? {}, opts?.body),
  };
}

/** A whole response, as read. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** A keep-alive https agent trusting the public roots, plus `trust` when given. */
export function createAgent(trust: TrustedAuthority | undefined): Agent {
  return new Agent({ keepAlive: true, ...(trust ? { ca: [...rootCertificates, trust.pem] } : {}) });
}

/** One https exchange on `agent`, bounded in time and size; no retry, no redirect. */
export function once(
  agent: Agent,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  timeoutMs: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== "https:") {
      reject(new Error("only https is allowed for the identity provider"));
      return;
    }
    const req = httpsRequest(target, {
      method,
      agent,
      headers:
        body === undefined
          ? headers
          : { ...headers, "content-length": String(Buffer.byteLength(body)) },
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) req.destroy(new Error("the response is too large"));
        else chunks.push(chunk);
      });
      res.on("end", () => {
        clearTimeout(timer);
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks) });
      });
      res.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // Node's documented case: a reused keep-alive socket the server had already closed.
      if (req.reusedSocket && error.code === "ECONNRESET")
        Object.assign(error, { staleSocket: true });
      reject(error);
    });
    req.end(body);
  });
}

function parse<T>(response: RawResponse, url: string): NetworkResponse<T> {
  let body: unknown;
  try {
    body = response.body.length ? JSON.parse(response.body.toString("utf8")) : {};
  } catch {
    throw new EntranceError(
      "identity_provider_unavailable",
      `${redact(url)} answered HTTP ${response.status} with a body that is not JSON`,
    );
  }
  if (typeof body !== "object" || body === null) {
    throw new EntranceError(
      "identity_provider_unavailable",
      `${redact(url)} answered JSON that is not an object`,
    );
  }
  return { headers: response.headers, status: response.status, body: body as T };
}

/** URLs in messages lose their query: it may carry codes or hints. */
function redact(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
