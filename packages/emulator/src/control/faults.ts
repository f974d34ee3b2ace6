/** A fault the emulator injects into the next response of an endpoint. */
export type Fault =
  /** Answer normally, but only after `ms` milliseconds. */
  | { readonly kind: "delay"; readonly ms: number }
  /** Answer with this status, JSON body and headers instead of the real answer. */
  | {
      readonly kind: "status";
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Answer 200 with a body that is not valid JSON. */
  | { readonly kind: "malformed" }
  /** Close the connection without answering. */
  | { readonly kind: "drop" }
  /**
   * Answer with an Entra error in the endpoint's shape (the token endpoint's JSON): the OAuth
   * `error`, its AADSTS number, and optionally the `suberror` and a `claims` challenge (JSON).
   */
  | {
      readonly kind: "error";
      readonly error: string;
      readonly aadsts: number;
      readonly description?: string;
      readonly suberror?: string;
      readonly claims?: string;
      /** Default 400. */
      readonly status?: number;
    };

/** An endpoint's faults may target one app (by client id); only the token endpoint knows it. */
export const APP_TARGETED_ENDPOINTS: readonly Endpoint[] = ["token"];

/** The endpoints that count requests and take faults. */
export const ENDPOINTS = [
  "discovery",
  "instance-discovery",
  "keys",
  "authorize",
  "sign-in",
  "consent",
  "token",
  "logout",
  "graph",
  "userinfo",
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/**
 * Faults waiting for their endpoint's next requests, in order: for any caller, or for one app's
 * requests only (`clientId`), which the endpoint takes once it knows the client.
 */
export class FaultQueue {
  readonly #queued = new Map<string, Fault[]>();

  add(endpoint: Endpoint, fault: Fault, times = 1, clientId?: string): void {
    const key = keyOf(endpoint, clientId);
    const queue = this.#queued.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.#queued.set(key, queue);
  }

  take(endpoint: Endpoint, clientId?: string): Fault | undefined {
    return this.#queued.get(keyOf(endpoint, clientId))?.shift();
  }

  clear(): void {
    this.#queued.clear();
  }
}

/** Request counts per endpoint, and per grant type for the token endpoint (`token:refresh_token`). */
export class RequestCounts {
  readonly #counts = new Map<string, number>();

  add(name: string): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  get(name: string): number {
    return this.#counts.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.#counts.clear();
  }
}

function keyOf(endpoint: Endpoint, clientId: string | undefined): string {
  return clientId === undefined ? endpoint : `${endpoint} ${clientId.toLowerCase()}`;
}
