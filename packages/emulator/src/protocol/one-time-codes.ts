/**
 * One-time codes "e-mailed" by an External ID tenant, kept until used, expired or guessed wrong
 * too often. Each code belongs to one waiting step (its id rides the code page's form) and so to
 * one e-mail address: a code sent to another address, or one already used, is never right here.
 */
import { randomInt, timingSafeEqual } from "node:crypto";
import type { Clock } from "../clock.js";
import { opaque } from "../ids.js";

/** Wrong codes allowed before the step starts over. */
export const CODE_ATTEMPTS = 3;
/** How long a code is valid, as the one-time passcodes Entra mails. */
export const CODE_LIFETIME_MS = 10 * 60_000;
/** Codes waiting, at most (the oldest is dropped beyond it). */
const MAX_WAITING = 1000;

/** What a waiting code is for; `email` is the address it was sent to (lower case). */
export interface CodeHolder {
  readonly email: string;
}

/** A code sent: the id the form carries back, and the code itself (for the page and control). */
export interface SentCode {
  readonly id: string;
  readonly code: string;
}

/** How a code someone typed compares with the one sent. */
export type CodeCheck<T> =
  | { readonly outcome: "right"; readonly holder: T }
  | { readonly outcome: "wrong"; readonly holder: T; readonly sent: SentCode }
  | { readonly outcome: "exhausted"; readonly holder: T }
  /** No such step: never sent, already used, expired or started over. */
  | { readonly outcome: "unknown" };

interface Waiting<T> {
  readonly sent: SentCode;
  readonly holder: T;
  readonly expiresAt: number;
  attempts: number;
}

/** The codes of one kind of step (sign-in, say) waiting to be entered, on the emulator's clock. */
export class OneTimeCodes<T extends CodeHolder> {
  readonly #waiting = new Map<string, Waiting<T>>();

  constructor(private readonly clock: Clock) {}

  /**
   * Sends a new 8-digit code for `holder`. Earlier codes to the same address stop working, as a
   * fresh e-mail replaces the last one.
   */
  send(holder: T): SentCode {
    this.#sweep();
    for (const [id, entry] of this.#waiting) {
      if (entry.holder.email === holder.email) this.#waiting.delete(id);
    }
    const sent = { id: opaque(), code: String(randomInt(0, 100_000_000)).padStart(8, "0") };
    this.#waiting.set(sent.id, {
      sent,
      holder,
      expiresAt: this.clock.now() + CODE_LIFETIME_MS,
      attempts: 0,
    });
    return sent;
  }

  /** Compares `typed` with the code of step `id`. A right code is used up; so is the last try. */
  check(id: string, typed: string): CodeCheck<T> {
    const entry = this.#waiting.get(id);
    if (!entry) return { outcome: "unknown" };
    if (entry.expiresAt <= this.clock.now()) {
      this.#waiting.delete(id);
      return { outcome: "unknown" };
    }
    if (sameCode(typed.trim(), entry.sent.code)) {
      this.#waiting.delete(id);
      return { outcome: "right", holder: entry.holder };
    }
    entry.attempts += 1;
    if (entry.attempts >= CODE_ATTEMPTS) {
      this.#waiting.delete(id);
      return { outcome: "exhausted", holder: entry.holder };
    }
    return { outcome: "wrong", holder: entry.holder, sent: entry.sent };
  }

  /** The code last sent to `email` and still waiting, for the control API. */
  latest(email: string): string | undefined {
    const wanted = email.toLowerCase();
    const now = this.clock.now();
    let code: string | undefined;
    for (const entry of this.#waiting.values()) {
      if (entry.holder.email === wanted && entry.expiresAt > now) code = entry.sent.code;
    }
    return code;
  }

  #sweep(): void {
    const now = this.clock.now();
    for (const [id, entry] of this.#waiting) if (entry.expiresAt <= now) this.#waiting.delete(id);
    while (this.#waiting.size >= MAX_WAITING) {
      const oldest = this.#waiting.keys().next().value;
      if (oldest === undefined) break;
      this.#waiting.delete(oldest);
    }
  }
}

/** Constant-time comparison, so that response time says nothing about how close a guess was. */
function sameCode(typed: string, code: string): boolean {
  const a = Buffer.from(typed);
  const b = Buffer.from(code);
  return a.length === b.length && timingSafeEqual(a, b);
}
