import fc from "fast-check";

/**
 * How long one generated case may take before it counts as a hang: far above a case's usual few
 * milliseconds, so a loaded machine does not trip it, and far below the test's own timeout, so a
 * hang is reported as the case (the counterexample) that hung.
 */
export const CASE_TIME_LIMIT_MS = 10_000;

/** fast-check's options for an async property: `numRuns` cases, each bounded in time. */
export function fuzzRuns(numRuns: number) {
  return { numRuns, plugins: [fc.timeout(CASE_TIME_LIMIT_MS)] };
}
