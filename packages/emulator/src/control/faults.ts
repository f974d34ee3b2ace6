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
  | { readonly kind: "drop" };

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

/** Faults waiting for their endpoint's next requests, in order. */
export class FaultQueue {
  readonly #queued = new Map<Endpoint, Fault[]>();

  add(endpoint: Endpoint, fault: Fault, times = 1): void {
    const queue = this.#queued.get(endpoint) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.#queued.set(endpoint, queue);
  }

  take(endpoint: Endpoint): Fault | undefined {
    return this.#queued.get(endpoint)?.shift();
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
