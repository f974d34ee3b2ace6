import { describeError } from "../errors/describe.js";
import type { AuditEventType, AuditStore } from "../storage/types.js";

/** An event as the flows report it; the trail adds the time and leaves `actor` empty. */
export interface FlowEvent {
  readonly type: AuditEventType;
  readonly tenantId?: string | null;
  readonly objectId?: string | null;
  readonly detail: string;
  readonly aadsts?: number | null;
  readonly ip: string | null;
}

/** Repeats of one failure within this window are folded into its first event. */
const FOLD_WINDOW_MS = 60_000;
/** Distinct failure events per window; beyond it, every failure folds into one overflow event. */
const DISTINCT_PER_WINDOW = 20;
/** The most failures remembered for folding (the budget above keeps far fewer per window). */
const REMEMBERED = 1_000;

interface Folding {
  readonly id: Promise<string | null>;
  readonly until: number;
}

/**
 * Writes the flows' audit events. A failure to record is logged and never fails the request.
 * Failed sign-ins are folded: a repeat of the same failure (type, detail, Entra code, address)
 * within a minute adds to the first event's `count` instead of writing a row, and past 20
 * distinct failures in a minute the rest fold into one overflow event — so junk callbacks, from
 * one address or many, add at most 21 rows a minute.
 */
export class AuditTrail {
  readonly #folding = new Map<string, Folding>();
  #window = { start: 0, distinct: 0 };

  constructor(
    private readonly audit: AuditStore,
    private readonly logger: Pick<Console, "error">,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one event. */
  async record(event: FlowEvent): Promise<void> {
    await this.#append(event);
  }

  /** Records a failure, folding repeats (see the class). */
  async recordFailure(event: FlowEvent): Promise<void> {
    const now = this.now();
    if (now - this.#window.start >= FOLD_WINDOW_MS) this.#window = { start: now, distinct: 0 };
    let key = JSON.stringify([event.type, event.detail, event.aadsts ?? null, event.ip]);
    let folded = event;
    if (!this.#live(key, now) && this.#window.distinct >= DISTINCT_PER_WINDOW) {
      key = `overflow:${event.type}`;
      folded = {
        type: event.type,
        detail: "failures from several addresses, folded: too many distinct ones in a minute",
        ip: null,
      };
    }
    const known = this.#live(key, now);
    if (known) {
      const id = await known.id;
      if (id !== null && (await this.#addCount(id))) return;
    }
    if (key.startsWith("[")) this.#window.distinct++;
    const id = this.#append(folded);
    if (this.#folding.size >= REMEMBERED) {
      const oldest = this.#folding.keys().next().value;
      if (oldest !== undefined) this.#folding.delete(oldest);
    }
    this.#folding.delete(key);
    this.#folding.set(key, { id, until: now + FOLD_WINDOW_MS });
    await id;
  }

  #live(key: string, now: number): Folding | undefined {
    const entry = this.#folding.get(key);
    if (entry && entry.until > now) return entry;
    if (entry) this.#folding.delete(key);
    return undefined;
  }

  async #addCount(id: string): Promise<boolean> {
    try {
      return await this.audit.addCount(id, 1);
    } catch (error) {
      this.logger.error("entrance: could not record an audit event", describeError(error));
      return true;
    }
  }

  async #append(event: FlowEvent): Promise<string | null> {
    try {
      const stored = await this.audit.append({
        at: new Date(this.now()),
        type: event.type,
        tenantId: event.tenantId ?? null,
        objectId: event.objectId ?? null,
        actor: null,
        detail: event.detail.slice(0, 500),
        aadsts: event.aadsts ?? null,
        ip: event.ip,
      });
      return stored.id;
    } catch (error) {
      this.logger.error("entrance: could not record an audit event", describeError(error));
      return null;
    }
  }
}
