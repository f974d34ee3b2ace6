/** What one load run against one server measured, whichever tool generated the load. */
export interface LoadResult {
  /** Answers received. */
  readonly requests: number;
  /** The run's measured length. */
  readonly seconds: number;
  /** requests / seconds. */
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Answers that were not 200 with the expected page, byte for byte. */
  readonly wrong: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  /** The first wrong answer's status or start, for the error message. */
  readonly firstWrong: string;
}

/** How to drive one server: where, with which cookie, expecting which page. */
export interface LoadTarget {
  readonly url: string;
  /** The `Cookie` header to send on every request, if any. */
  readonly cookie: string | undefined;
  /** The `Authorization` header to send on every request, if any (the API benchmark's token). */
  readonly authorization?: string | undefined;
  /** Every answer must be 200 with exactly this body. */
  readonly expectedBody: string;
  readonly connections: number;
  readonly seconds: number;
  /** The CPU the load generator is pinned to. */
  readonly cpu: number;
}

/** How much longer than its duration a load run may take before it is killed. */
export const OVERRUN_SECONDS = 30;

/**
 * Throws when a run saw anything but the expected page, or no answer at all where one was
 * needed: its figures would be meaningless.
 */
export function assertAllRight(label: string, result: LoadResult, needsAnswers = true): void {
  if ((needsAnswers && result.requests === 0) || result.wrong > 0 || result.errors > 0) {
    throw new Error(
      `${label}: ${result.requests} answers, ${result.wrong} wrong (first: ${result.firstWrong}), ` +
        `${result.errors} connection errors or timeouts; every answer must be the signed-in page`,
    );
  }
}
