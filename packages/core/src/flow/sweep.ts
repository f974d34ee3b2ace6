import type { EntranceConfig } from "../config/schema.js";
import type { EntranceStore } from "../storage/types.js";

/** How often an instance sweeps, at most. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Enforces retention: removes expired login transactions and sessions (an abandoned one is never
 * looked up again, so nothing else would), and audit events older than `audit.retentionDays` or
 * beyond the newest `audit.maxEvents`. Driven by traffic, not a timer — `maybeSweep` starts a sweep
 * when the last one is over ten minutes old — so an idle app holds no timer and a process that
 * exits leaves nothing running. Failures are logged; the next request tries again later.
 */
export class Sweeper {
  #last: number;
  #running: Promise<void> | null = null;

  constructor(
    private readonly config: EntranceConfig,
    private readonly store: EntranceStore,
    private readonly logger: Pick<Console, "error">,
    private readonly now: () => number = Date.now,
  ) {
    // The first sweep waits one interval: start-up is busy enough, and tests stay quiet.
    this.#last = now();
  }

  /** Starts a sweep in the background when one is due; never throws, never waits. */
  maybeSweep(): void {
    if (this.#running || this.now() - this.#last < SWEEP_INTERVAL_MS) return;
    this.#running = this.sweep().finally(() => {
      this.#running = null;
    });
  }

  /** Sweeps now; resolves when done. */
  async sweep(): Promise<void> {
    this.#last = this.now();
    const { retentionDays, maxEvents } = this.config.audit;
    const tasks: [string, () => Promise<number>][] = [
      ["login transactions", () => this.store.transactions.deleteExpired()],
      ["sessions", () => this.store.sessions.deleteExpired(new Date(this.now()))],
      [
        "audit events",
        () =>
          this.store.audit.prune({
            before: new Date(this.now() - retentionDays * 86_400_000),
            keep: maxEvents,
          }),
      ],
    ];
    for (const [what, task] of tasks) {
      try {
        await task();
      } catch (error) {
        this.logger.error(
          { event: "sweep_failed", what, error },
          `entrance: could not remove expired ${what}`,
        );
      }
    }
  }
}
