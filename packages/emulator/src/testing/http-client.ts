import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent, request as httpsRequest } from "node:https";

/** A response as read in full. Redirects are never followed: tests look at them. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | URLSearchParams;
  /** PEM certificate authorities to trust for https (the emulator's). */
  readonly ca?: string;
  readonly timeoutMs?: number;
}

const agents = new Map<string, Agent>();

function agentFor(ca: string): Agent {
  let agent = agents.get(ca);
  if (!agent) {
    agent = new Agent({ ca, keepAlive: true });
    agents.set(ca, agent);
  }
  return agent;
}

/** One HTTP(S) request with node's own client, trusting `ca` for https. */
export function request(url: string | URL, options: RequestOptions = {}): Promise<RawResponse> {
  const target = new URL(url);
  const body =
    options.body instanceof URLSearchParams ? Buffer.from(options.body.toString()) : options.body;
  const headers: Record<string, string> = { ...options.headers };
  if (options.body instanceof URLSearchParams) {
    headers["content-type"] ??= "application/x-www-form-urlencoded";
  }
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  const secure = target.protocol === "https:";
  return new Promise((resolve, reject) => {
    const send = secure ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        headers,
        ...(secure && options.ca ? { agent: agentFor(options.ca) } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const data = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: data,
            text: () => data.toString("utf8"),
            json: <T>() => JSON.parse(data.toString("utf8")) as T,
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`request to ${target.origin} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** The shape MSAL Node's `system.networkClient` takes (its INetworkModule), without importing MSAL. */
export interface MsalNetworkModule {
  sendGetRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
    timeout?: number,
  ): Promise<{ headers: Record<string, string>; body: T; status: number }>;
  sendPostRequestAsync<T>(
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<{ headers: Record<string, string>; body: T; status: number }>;
}

/**
 * An MSAL network client that trusts the emulator's certificate authority, for tests in one
 * process. (Apps use @entrance/core's client, or NODE_EXTRA_CA_CERTS.)
 */
export function trustingNetworkClient(caPem: string): MsalNetworkModule {
  const call = async <T>(
    method: string,
    url: string,
    options: { headers?: Record<string, string>; body?: string } = {},
  ) => {
    const res = await request(url, {
      method,
      ca: caPem,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const headers = Object.fromEntries(
      Object.entries(res.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(", ") : String(value ?? ""),
      ]),
    );
    const text = res.text();
    return { headers, status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  return {
    sendGetRequestAsync: (url, options) => call("GET", url, options),
    sendPostRequestAsync: (url, options) => call("POST", url, options),
  };
}
