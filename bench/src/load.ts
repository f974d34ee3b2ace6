import autocannon from "autocannon";

/** What one autocannon run against one server measured. */
export interface Run {
  /** Answers received divided by the run's measured length. */
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  /** Connection errors, timeouts included. */
  readonly errors: number;
  /** 2xx answers whose body was not the expected page. */
  readonly mismatches: number;
}

export interface LoadOptions {
  readonly url: string;
  readonly seconds: number;
  readonly connections: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Every answer must be this page, byte for byte. */
  readonly expectBody: string;
}

/** Drives one server with autocannon, in this process, for `seconds`. */
export async function load(options: LoadOptions): Promise<Run> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    headers: { ...options.headers },
    expectBody: options.expectBody,
  });
  return {
    // Not requests.average: that averages per-second samples, and a run of 10 s can be cut into
    // 11 of them, one short, which understates the rate by up to a tenth.
    requestsPerSecond: result.requests.total / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    mismatches: result.mismatches,
  };
}

/** Throws when a run saw anything but the expected page: its figures would be meaningless. */
export function assertClean(label: string, run: Run): void {
  if (run.requests === 0 || run.non2xx > 0 || run.errors > 0 || run.mismatches > 0) {
    throw new Error(
      `${label}: ${run.requests} requests, ${run.non2xx} non-2xx, ${run.errors} errors, ` +
        `${run.mismatches} wrong bodies; every answer must be the signed-in page`,
    );
  }
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
