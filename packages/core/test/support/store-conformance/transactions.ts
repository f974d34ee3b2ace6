/** The TransactionStore contract: written once with a TTL, taken once, atomically. */
import { expect, it } from "vitest";
import { type ConformanceContext, sleep, UNICODE_SAMPLES, unique } from "./context.js";

/** Defines the TransactionStore tests; expiry without waiting when the clock is injected. */
export function transactionContract(ctx: ConformanceContext): void {
  it("take of an absent key is null", async () => {
    expect(await ctx.store().transactions.take(unique("absent"))).toBeNull();
  });

  it("take returns the value once; the second take is null", async () => {
    const key = unique("once");
    const value = JSON.stringify({ nonce: "n", returnTo: "/after?x=1&y=2" });
    await ctx.store().transactions.put(key, value, 600);
    expect(await ctx.store().transactions.take(key)).toBe(value);
    expect(await ctx.store().transactions.take(key)).toBeNull();
  });

  it("round-trips Unicode and a large value", async () => {
    const key = unique(UNICODE_SAMPLES[3]);
    const value = `${UNICODE_SAMPLES.join("\n")}${"x".repeat(64 * 1024)}`;
    await ctx.store().transactions.put(key, value, 600);
    expect(await ctx.store().transactions.take(key)).toBe(value);
  });

  it("put of an existing key replaces its value", async () => {
    const key = unique("replace");
    await ctx.store().transactions.put(key, "first", 600);
    await ctx.store().transactions.put(key, "second", 600);
    expect(await ctx.store().transactions.take(key)).toBe("second");
    expect(await ctx.store().transactions.take(key)).toBeNull();
  });

  it("taking one key leaves the others", async () => {
    const [a, b] = [unique("a"), unique("b")];
    await ctx.store().transactions.put(a, "A", 600);
    await ctx.store().transactions.put(b, "B", 600);
    expect(await ctx.store().transactions.take(a)).toBe("A");
    expect(await ctx.store().transactions.take(b)).toBe("B");
  });

  it("of 50 concurrent takes of one key exactly one gets the value", async () => {
    const key = unique("race");
    await ctx.store().transactions.put(key, "winner", 600);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => ctx.store().transactions.take(key)),
    );
    expect(results.filter((result) => result !== null)).toStrictEqual(["winner"]);
  });

  it("concurrent takes of different keys all succeed", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => unique(`parallel-${i}`));
    for (const key of keys) await ctx.store().transactions.put(key, key, 600);
    const results = await Promise.all(keys.map((key) => ctx.store().transactions.take(key)));
    expect(results).toStrictEqual(keys);
  });

  it("put rejects a TTL that is not a positive finite number of seconds", async () => {
    const key = unique("bad-ttl");
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(ctx.store().transactions.put(key, "v", ttl)).rejects.toThrow(RangeError);
    }
    expect(await ctx.store().transactions.take(key)).toBeNull();
  });

  if (ctx.clock) {
    const clock = ctx.clock;

    it("a value lives until its TTL has passed, and is gone from then on", async () => {
      const [early, due] = [unique("early"), unique("due")];
      await ctx.store().transactions.put(early, "still here", 10);
      await ctx.store().transactions.put(due, "gone", 10);
      clock.advance(9_999);
      expect(await ctx.store().transactions.take(early)).toBe("still here");
      clock.advance(1);
      expect(await ctx.store().transactions.take(due)).toBeNull();
    });

    it("honours fractional TTLs", async () => {
      const [kept, expired] = [unique("kept"), unique("expired")];
      await ctx.store().transactions.put(kept, "kept", 0.25);
      await ctx.store().transactions.put(expired, "expired", 0.25);
      expect(await ctx.store().transactions.take(kept)).toBe("kept");
      clock.advance(300);
      expect(await ctx.store().transactions.take(expired)).toBeNull();
    });

    it("an expired key can be put again and taken", async () => {
      const key = unique("reuse");
      await ctx.store().transactions.put(key, "old", 1);
      clock.advance(2_000);
      await ctx.store().transactions.put(key, "new", 600);
      expect(await ctx.store().transactions.take(key)).toBe("new");
    });
  } else {
    it("a value is gone once its TTL has passed (real time)", async () => {
      const [kept, expired] = [unique("kept"), unique("expired")];
      await ctx.store().transactions.put(kept, "kept", 600);
      await ctx.store().transactions.put(expired, "expired", 1);
      await sleep(1_100);
      expect(await ctx.store().transactions.take(expired)).toBeNull();
      expect(await ctx.store().transactions.take(kept)).toBe("kept");
    });
  }
}
