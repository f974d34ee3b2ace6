/**
 * Tokens whose signature and times were checked already, so that a client calling again with the
 * same token skips the RSA verify. Keyed by the whole token (an exact match: no token is taken
 * for another), bounded in entries and in characters held, and an entry never outlives its
 * token's `exp`. Only tokens signed by a published key get in, so a stranger cannot fill it.
 */
export class VerifiedTokens<T> {
  readonly #entries = new Map<string, { readonly value: T; readonly expiresAtMs: number }>();
  #chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The value kept for this token, unless its token has expired by `nowMs`. */
  get(token: string, nowMs: number): T | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs > nowMs) return entry.value;
    this.#delete(token);
    return undefined;
  }

  /** Keeps `value` for `token` until `expiresAtMs`; the oldest entries leave to make room. */
  set(token: string, value: T, expiresAtMs: number, nowMs: number): void {
    if (expiresAtMs <= nowMs || this.maxEntries === 0 || token.length > this.maxChars) return;
    this.#delete(token);
    while (
      this.#entries.size >= this.maxEntries ||
      (this.#entries.size > 0 && this.#chars + token.length > this.maxChars)
    ) {
      const oldest = this.#entries.keys().next().value as string;
      this.#delete(oldest);
    }
    this.#entries.set(token, { value, expiresAtMs });
    this.#chars += token.length;
  }

  /** Forgets the token (its signing key is no longer published). */
  delete(token: string): void {
    this.#delete(token);
  }

  #delete(token: string): void {
    if (this.#entries.delete(token)) this.#chars -= token.length;
  }
}
