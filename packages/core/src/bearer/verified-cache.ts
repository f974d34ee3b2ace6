/**
 * Tokens whose signature and times were checked already, so that a client calling again with the
 * same token skips the RSA verify. Keyed by the whole token (an exact match: no token is taken
 * for another), bounded in entries and in characters held, and an entry never outlives its
 * token's `exp`. When full, the least recently used entry leaves. The validator keeps only tokens
 * signed by a published key that a route of this API would take (its audience, a tenant it
 * accepts), so a stranger's tokens cannot push a legitimate caller's out.
 */
export class VerifiedTokens<T> {
  /** In order of use, the least recent first (a Map iterates in insertion order). */
  readonly #entries = new Map<
    string,
    { readonly value: T; readonly expiresAtMs: number; readonly weight: number }
  >();
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
    if (entry.expiresAtMs > nowMs) {
      this.#entries.delete(token);
      this.#entries.set(token, entry);
      return entry.value;
    }
    this.#delete(token);
    return undefined;
  }

  /**
   * Keeps `value` for `token` until `expiresAtMs`, counted as `weight` characters (the token's
   * length unless the value holds more); the least recently used entries leave to make room.
   */
  set(token: string, value: T, expiresAtMs: number, nowMs: number, weight = token.length): void {
    if (expiresAtMs <= nowMs || this.maxEntries === 0 || weight > this.maxChars) return;
    this.#delete(token);
    while (
      this.#entries.size >= this.maxEntries ||
      (this.#entries.size > 0 && this.#chars + weight > this.maxChars)
    ) {
      const oldest = this.#entries.keys().next().value as string;
      this.#delete(oldest);
    }
    this.#entries.set(token, { value, expiresAtMs, weight });
    this.#chars += weight;
  }

  /** Forgets the token (its signing key is no longer published). */
  delete(token: string): void {
    this.#delete(token);
  }

  #delete(token: string): void {
    const entry = this.#entries.get(token);
    if (entry && this.#entries.delete(token)) this.#chars -= entry.weight;
  }
}
