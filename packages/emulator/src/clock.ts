/** The emulator's notion of now, which tests can move forward to expire codes and tokens. */
export class Clock {
  #offsetMs = 0;

  /** Milliseconds since the epoch, shifted. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Seconds since the epoch, shifted, as used in JWT claims. */
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves the clock by `seconds` (negative moves it back). */
  shift(seconds: number): void {
    this.#offsetMs += seconds * 1000;
  }

  get offsetSeconds(): number {
    return this.#offsetMs / 1000;
  }
}
