/** Timing of one async call at a time, and the statistics the token benchmark reports. */

export interface Budget {
  /** Calls to make at most. */
  readonly calls: number;
  /** Stop earlier once this many milliseconds have passed (after at least `minCalls`). */
  readonly maxMs: number;
  readonly minCalls?: number;
}

/**
 * Runs `call(i)` sequentially, awaiting each, and returns the duration of each call in
 * microseconds. Only the call is inside the timed span.
 */
export async function timeCalls(
  call: (i: number) => Promise<unknown>,
  budget: Budget,
): Promise<number[]> {
  const samples: number[] = [];
  const minCalls = budget.minCalls ?? 1;
  const started = performance.now();
  for (let i = 0; i < budget.calls; i++) {
    const before = performance.now();
    await call(i);
    const after = performance.now();
    samples.push((after - before) * 1000);
    if (i + 1 >= minCalls && after - started > budget.maxMs) break;
  }
  return samples;
}

/** The q-quantile (0..1) by linear interpolation between closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

export interface Summary {
  readonly calls: number;
  readonly medianUs: number;
  readonly p90Us: number;
  readonly minUs: number;
  /** The median of each round, in the order they ran: how much the machine moved. */
  readonly roundMediansUs: readonly number[];
  /** (slowest round median − fastest round median) / median. */
  readonly spread: number;
  /** Rounds whose median is more than `OFF_ROUND` away from the median of every call. */
  readonly roundsOff: number;
}

/** A round whose median is this far (relative) from the overall median was disturbed. */
export const OFF_ROUND = 0.25;

/** Pools the rounds of one case: median and p90 over every call. */
export function summarize(rounds: readonly (readonly number[])[]): Summary {
  const all = rounds.flat();
  const medianUs = quantile(all, 0.5);
  const roundMediansUs = rounds.map((round) => quantile(round, 0.5));
  return {
    calls: all.length,
    medianUs,
    p90Us: quantile(all, 0.9),
    minUs: all.length ? Math.min(...all) : Number.NaN,
    roundMediansUs,
    spread: (Math.max(...roundMediansUs) - Math.min(...roundMediansUs)) / medianUs,
    roundsOff: roundMediansUs.filter((value) => Math.abs(value / medianUs - 1) > OFF_ROUND).length,
  };
}
