/**
 * The TransactionStore contract: written once with a TTL, taken once, atomically, and only by
 * the owner (browser) that put it; each owner's pending ones capped, all of them countable.
 */

import type { SessionSideStore, TransactionOwner } from "@entrance/core";
import { expect, it } from "vitest";
import { type ConformanceContext, sleep, UNICODE_SAMPLES, unique } from "../context.js";

/** An owner of its own, with room for every transaction a test puts unless it says otherwise. */
function browser(maxPending = 50): TransactionOwner {
  return { id: unique("browser"), maxPending };
}

/** Defines the TransactionStore tests; expiry without waiting when the clock is injected. */
export function transactionContract(ctx: ConformanceContext<SessionSideStore>): void {
  const transactions = () => ctx.store().transactions;

  it("take of an absent key is null", async () => {
    expect(await transactions().take(unique("absent"), browser().id)).toBeNull();
  });

  it("take returns the value once; the second take is null", async () => {
    const [key, owner] = [unique("once"), browser()];
    const value = JSON.stringify({ nonce: "n", returnTo: "/after?x=1&y=2" });
    await transactions().put(key, value, 600, owner);
    expect(await transactions().take(key, owner.id)).toBe(value);
    expect(await transactions().take(key, owner.id)).toBeNull();
  });

  it("round-trips Unicode and a large value", async () => {
    const [key, owner] = [unique(UNICODE_SAMPLES[3]), browser()];
    const value = `${UNICODE_SAMPLES.join("\n")}${"x".repeat(64 * 1024)}`;
    await transactions().put(key, value, 600, owner);
    expect(await transactions().take(key, owner.id)).toBe(value);
  });

  it("put of an existing key replaces its value", async () => {
    const [key, owner] = [unique("replace"), browser()];
    await transactions().put(key, "first", 600, owner);
    await transactions().put(key, "second", 600, owner);
    expect(await transactions().take(key, owner.id)).toBe("second");
    expect(await transactions().take(key, owner.id)).toBeNull();
  });

  it("taking one key leaves the others", async () => {
    const [a, b, owner] = [unique("a"), unique("b"), browser()];
    await transactions().put(a, "A", 600, owner);
    await transactions().put(b, "B", 600, owner);
    expect(await transactions().take(a, owner.id)).toBe("A");
    expect(await transactions().take(b, owner.id)).toBe("B");
  });

  it("of 50 concurrent takes of one key exactly one gets the value", async () => {
    const [key, owner] = [unique("race"), browser()];
    await transactions().put(key, "winner", 600, owner);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => transactions().take(key, owner.id)),
    );
    expect(results.filter((result) => result !== null)).toStrictEqual(["winner"]);
  });

  it("concurrent takes of different keys all succeed", async () => {
    const owner = browser();
    const keys = Array.from({ length: 20 }, (_, i) => unique(`parallel-${i}`));
    for (const key of keys) await transactions().put(key, key, 600, owner);
    const results = await Promise.all(keys.map((key) => transactions().take(key, owner.id)));
    expect(results).toStrictEqual(keys);
  });

  it("take by another owner is null and leaves the transaction for its owner", async () => {
    const [key, owner, stranger] = [unique("owned"), browser(), browser()];
    await transactions().put(key, "mine", 600, owner);
    expect(await transactions().take(key, stranger.id)).toBeNull();
    expect(await transactions().take(key, "")).toBeNull();
    expect(await transactions().take(key, owner.id.toUpperCase())).toBeNull();
    expect(await transactions().take(key, owner.id)).toBe("mine");
  });

  it("a put beyond maxPending removes that owner's oldest; other owners keep theirs", async () => {
    const [owner, other] = [browser(10), browser(10)];
    const keys = Array.from({ length: 12 }, (_, i) => unique(`capped-${i}`));
    const [before, after] = [unique("other-before"), unique("other-after")];
    await transactions().put(before, "other", 600, other);
    for (const key of keys) {
      await transactions().put(key, key, 600, owner);
      // "Oldest" is the earliest stored; a store may tell puts apart only to the millisecond.
      if (ctx.clock) ctx.clock.advance(1);
      else await sleep(2);
    }
    await transactions().put(after, "other", 600, other);
    const taken = await Promise.all(keys.map((key) => transactions().take(key, owner.id)));
    expect(taken).toStrictEqual([null, null, ...keys.slice(2)]);
    expect(await transactions().take(before, other.id)).toBe("other");
    expect(await transactions().take(after, other.id)).toBe("other");
  });

  it("countPending counts new transactions of every owner, and not taken ones", async () => {
    const [a, b] = [browser(), browser()];
    const [a1, a2, b1] = [unique("count-a1"), unique("count-a2"), unique("count-b1")];
    const before = await transactions().countPending();
    await transactions().put(a1, "v", 600, a);
    await transactions().put(a2, "v", 600, a);
    await transactions().put(b1, "v", 600, b);
    expect(await transactions().countPending()).toBe(before + 3);
    await transactions().take(a1, a.id);
    expect(await transactions().countPending()).toBe(before + 2);
    await transactions().take(a2, a.id);
    await transactions().take(b1, b.id);
    expect(await transactions().countPending()).toBe(before);
  });

  it("put rejects a TTL that is not a positive finite number of seconds", async () => {
    const [key, owner] = [unique("bad-ttl"), browser()];
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(transactions().put(key, "v", ttl, owner)).rejects.toThrow(RangeError);
    }
    expect(await transactions().take(key, owner.id)).toBeNull();
  });

  it("put rejects a maxPending that is not a whole number ≥ 1", async () => {
    const key = unique("bad-cap");
    const id = unique("browser");
    for (const maxPending of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(transactions().put(key, "v", 600, { id, maxPending })).rejects.toThrow(
        RangeError,
      );
    }
    expect(await transactions().take(key, id)).toBeNull();
  });

  if (ctx.clock) {
    const clock = ctx.clock;

    it("a value lives until its TTL has passed, and is gone from then on", async () => {
      const [early, due, owner] = [unique("early"), unique("due"), browser()];
      await transactions().put(early, "still here", 10, owner);
      await transactions().put(due, "gone", 10, owner);
      clock.advance(9_999);
      expect(await transactions().take(early, owner.id)).toBe("still here");
      clock.advance(1);
      expect(await transactions().take(due, owner.id)).toBeNull();
    });

    it("honours fractional TTLs", async () => {
      const [kept, expired, owner] = [unique("kept"), unique("expired"), browser()];
      await transactions().put(kept, "kept", 0.25, owner);
      await transactions().put(expired, "expired", 0.25, owner);
      expect(await transactions().take(kept, owner.id)).toBe("kept");
      clock.advance(300);
      expect(await transactions().take(expired, owner.id)).toBeNull();
    });

    it("an expired key can be put again and taken", async () => {
      const [key, owner] = [unique("reuse"), browser()];
      await transactions().put(key, "old", 1, owner);
      clock.advance(2_000);
      await transactions().put(key, "new", 600, owner);
      expect(await transactions().take(key, owner.id)).toBe("new");
    });

    it("countPending counts only unexpired transactions, whatever their TTLs", async () => {
      // Past every TTL the suite uses, so what other tests left behind counts no more.
      clock.advance(3_600_000);
      expect(await transactions().countPending()).toBe(0);
      const [a, b] = [browser(), browser()];
      await transactions().put(unique("long"), "v", 60, a);
      await transactions().put(unique("short"), "v", 1, a);
      await transactions().put(unique("medium"), "v", 10, b);
      expect(await transactions().countPending()).toBe(3);
      clock.advance(1_000);
      expect(await transactions().countPending()).toBe(2);
      clock.advance(9_000);
      expect(await transactions().countPending()).toBe(1);
      clock.advance(50_000);
      expect(await transactions().countPending()).toBe(0);
    });

    it("expired transactions no longer count against their owner's maxPending", async () => {
      const owner = browser(2);
      const [old1, old2] = [unique("old-1"), unique("old-2")];
      const [fresh1, fresh2] = [unique("fresh-1"), unique("fresh-2")];
      await transactions().put(old1, "v", 1, owner);
      await transactions().put(old2, "v", 1, owner);
      clock.advance(1_000);
      await transactions().put(fresh1, "fresh", 600, owner);
      await transactions().put(fresh2, "fresh", 600, owner);
      expect(await transactions().take(fresh1, owner.id)).toBe("fresh");
      expect(await transactions().take(fresh2, owner.id)).toBe("fresh");
    });

    it("deleteExpired removes the expired transactions, returns how many, keeps the rest", async () => {
      clock.advance(3_600_000);
      await transactions().deleteExpired();
      const owner = browser();
      const [gone1, gone2, live] = [unique("gone-1"), unique("gone-2"), unique("live")];
      await transactions().put(gone1, "v", 1, owner);
      await transactions().put(gone2, "v", 1, owner);
      await transactions().put(live, "live", 600, owner);
      clock.advance(1_000);
      expect(await transactions().deleteExpired()).toBe(2);
      expect(await transactions().deleteExpired()).toBe(0);
      expect(await transactions().countPending()).toBe(1);
      expect(await transactions().take(live, owner.id)).toBe("live");
    });
  } else {
    it("a value is gone once its TTL has passed (real time)", async () => {
      const [kept, expired, owner] = [unique("kept"), unique("expired"), browser()];
      await transactions().put(kept, "kept", 600, owner);
      await transactions().put(expired, "expired", 1, owner);
      await sleep(1_100);
      expect(await transactions().take(expired, owner.id)).toBeNull();
      expect(await transactions().take(kept, owner.id)).toBe("kept");
    });

    it("deleteExpired and countPending let a live transaction be (real time)", async () => {
      const [kept, expired, owner] = [unique("kept"), unique("expired"), browser()];
      await transactions().put(kept, "kept", 600, owner);
      await transactions().put(expired, "expired", 1, owner);
      const pending = await transactions().countPending();
      await sleep(1_100);
      // A store whose server expires keys itself may have nothing left to remove.
      expect(await transactions().deleteExpired()).toBeGreaterThanOrEqual(0);
      expect(await transactions().countPending()).toBe(pending - 1);
      expect(await transactions().take(kept, owner.id)).toBe("kept");
    });
  }
}
