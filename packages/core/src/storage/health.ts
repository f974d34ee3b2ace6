/** Whether a store answers, and how fast: for a health endpoint or a start-up check. */

/** What {@link storeHealth} found. */
export interface StoreHealth {
  /** The store answered within the timeout. */
  readonly ok: boolean;
  /** Milliseconds until it answered, or until the check gave up. */
  readonly latencyMs: number;
  /** Why it is not ok (the store's error, or the timeout); absent when ok. */
  readonly error?: string;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Pings a store (any store with `ping`, a composed one pings both sides) and reports whether it
 * answered within `timeoutMs`, and how long it took. Never throws: a store that is down, slow or
 * closed is `ok: false` with the reason. A store without `ping` (an older custom store) is
 * reported as answering, since nothing could be asked.
 *
 * @param options.timeoutMs - how long to wait, in milliseconds; 2,000 by default.
 * @example
 * ```ts
 * const health = await storeHealth(store, { timeoutMs: 1_000 });
 * // { ok: true, latencyMs: 0.4 } or { ok: false, latencyMs: 1000, error: "no answer within 1000 ms" }
 * ```
 */
export async function storeHealth(
  store: { ping?(): Promise<void> },
  options: { readonly timeoutMs?: number } = {},
): Promise<StoreHealth> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  }
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => store.ping?.())(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    return {
      ok: false,
      latencyMs: performance.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
