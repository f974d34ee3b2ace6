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
/** Distinct failure events one address may add per window; beyond, they fold into one event. */
const DISTINCT_PER_ADDRESS = 5;
/** Addresses whose failures get events of their own per window; beyond, one event for the rest. */
const ADDRESSES_PER_WINDOW = 50;
/** The most failures remembered for folding (the budgets above keep far fewer per window). */
const REMEMBERED = 1_000;

interface Folding {
  readonly id: Promise<string | null>;
  readonly until: number;
}

/**
 * Writes the flows' audit events. A failure to record is logged and never fails the request.
 * Failed sign-ins are folded so that junk callbacks cannot grow the log or bury what matters: a
 * repeat of the same failure (type, detail, Entra code, address) within a minute adds to the
 * first event's `count`; one address gets at most 5 distinct events a minute (its further ones
 * fold into one event that keeps the address), and at most 50 addresses a minute get events of
 * their own (the rest fold into one). So a flood adds at most ~300 rows a minute, whatever its
 * shape. Failures that signal an attack on a real sign-in (`securitySignal`) are never folded
 * into another event's row.
 */
export class AuditTrail {
  readonly #folding = new Map<string, Folding>();
  #window = { start: 0, perAddress: new Map<string, number>() };

  constructor(
    private readonly audit: AuditStore,
    private readonly logger: Pick<Console, "error">,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one event. */
  async record(event: FlowEvent): Promise<void> {
    await this.#append(event);
  }

  /**
   * Records a failure, folding repeats (see the class). `securitySignal`: an ID token that failed
   * validation, a refused tenant or user — always an event of its own (repeats still counted).
   */
  async recordFailure(event: FlowEvent, securitySignal = false): Promise<void> {
    const now = this.now();
    if (now - this.#window.start >= FOLD_WINDOW_MS) {
      this.#window = { start: now, perAddress: new Map() };
    }
    const address = event.ip ?? "";
    let key = JSON.stringify([event.type, event.detail, event.aadsts ?? null, event.ip]);
    let folded = event;
    if (!securitySignal && !this.#live(key, now)) {
      const seen = this.#window.perAddress.get(address);
      if (seen === undefined && this.#window.perAddress.size >= ADDRESSES_PER_WINDOW) {
        key = `overflow:${event.type}`;
        folded = {
          type: event.type,
          detail: `failures from more than ${ADDRESSES_PER_WINDOW} addresses in a minute, folded`,
          ip: null,
        };
      } else if ((seen ?? 0) >= DISTINCT_PER_ADDRESS) {
        key = `overflow:${event.type}:${address}`;
        folded = {
          type: event.type,
          detail: `more than ${DISTINCT_PER_ADDRESS} kinds of failure from this address in a minute, folded`,
          ip: event.ip,
        };
      } else {
        this.#window.perAddress.set(address, (seen ?? 0) + 1);
      }
    }
    const known = this.#live(key, now);
    if (known) {
      const id = await known.id;
      if (id !== null && (await this.#addCount(id))) return;
    }
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
      this.logger.error(
        { event: "audit_write_failed", error },
        "entrance: could not record an audit event",
      );
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
      this.logger.error(
        { event: "audit_write_failed", error },
        "entrance: could not record an audit event",
      );
      return null;
    }
  }
}
