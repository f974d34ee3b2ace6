/**
 * The LockStore contract: a key has at most one holder until its TTL passes, a release frees only
 * the releaser's own hold, and concurrent acquires (through one store or several sharing a
 * database) have exactly one winner.
 */

import type { LockStore, SessionSideStore } from "@entrance/core";
import { expect, it, type TestContext } from "vitest";
import { type ConformanceContext, sleep, UNICODE_SAMPLES, unique } from "../context.js";

type Release = () => Promise<void>;

/** The store's locks; skips the test for a store that offers none (locks are optional). */
function locksOf(store: SessionSideStore, test: TestContext): LockStore {
  const locks = store.locks;
  if (!locks) return test.skip("the store offers no locks (SessionSideStore.locks is optional)");
  return locks;
}

/** Asserts that an acquire succeeded and returns its release. */
function held(release: Release | null): Release {
  expect(release, "acquire returned null for a free key").toBeTypeOf("function");
  if (!release) throw new Error("unreachable");
  return release;
}

/**
 * Whether two stores share their data: a login transaction put through one can be taken through
 * the other (SQL stores on one database do; two memory stores do not).
 */
async function shareData(a: SessionSideStore, b: SessionSideStore): Promise<boolean> {
  const [key, owner] = [unique("shared-probe"), unique("prober")];
  await a.transactions.put(key, "probe", 600, { id: owner, maxPending: 1 });
  const shared = (await b.transactions.take(key, owner)) !== null;
  if (!shared) await a.transactions.take(key, owner);
  return shared;
}

/** Defines the LockStore tests; expiry without waiting when the clock is injected. */
export function lockContract(ctx: ConformanceContext<SessionSideStore>): void {
  it("a held key is not acquired again; a different key is", async (test) => {
    const locks = locksOf(ctx.store(), test);
    const [key, other] = [unique("lock"), unique("lock")];
    const release = held(await locks.acquire(key, 600));
    expect(await locks.acquire(key, 600)).toBeNull();
    const releaseOther = held(await locks.acquire(other, 600));
    expect(await locks.acquire(key, 600)).toBeNull();
    await release();
    await releaseOther();
  });

  it("a released key can be acquired again", async (test) => {
    const locks = locksOf(ctx.store(), test);
    const key = unique("release");
    await held(await locks.acquire(key, 600))();
    const again = held(await locks.acquire(key, 600));
    expect(await locks.acquire(key, 600)).toBeNull();
    await again();
    await held(await locks.acquire(key, 600))();
  });

  it("releasing twice is harmless, and does not free a later holder", async (test) => {
    const locks = locksOf(ctx.store(), test);
    const key = unique("twice");
    const first = held(await locks.acquire(key, 600));
    await first();
    await expect(first()).resolves.toBeUndefined();
    const second = held(await locks.acquire(key, 600));
    await first();
    expect(await locks.acquire(key, 600)).toBeNull();
    await second();
    await expect(second()).resolves.toBeUndefined();
  });

  it("keys are exact: case, trailing space and Unicode normalization all differ", async (test) => {
    const locks = locksOf(ctx.store(), test);
    const base = unique("Lock-Key");
    const variants = [
      base,
      base.toLowerCase(),
      base.toUpperCase(),
      `${base} `,
      `${base}-\u00e9`, // é, precomposed (NFC)
      `${base}-e\u0301`, // e + combining acute (NFD)
      ...UNICODE_SAMPLES.map((sample) => `${base}-${sample}`),
    ];
    expect(new Set(variants).size).toBe(variants.length);
    const releases = [];
    for (const key of variants) releases.push(held(await locks.acquire(key, 600)));
    for (const key of variants) expect(await locks.acquire(key, 600)).toBeNull();
    for (const release of releases) await release();
    for (const key of variants) await held(await locks.acquire(key, 600))();
  });

  it("of 20 concurrent acquires of one key exactly one succeeds", async (test) => {
    const locks = locksOf(ctx.store(), test);
    const key = unique("race");
    const results = await Promise.all(Array.from({ length: 20 }, () => locks.acquire(key, 600)));
    const winners = results.filter((release) => release !== null);
    expect(winners).toHaveLength(1);
    await winners[0]?.();
    await held(await locks.acquire(key, 600))();
  });

  it("stores sharing a database share their locks: of 20 concurrent acquires through two, exactly one succeeds", async (test) => {
    const one = ctx.store();
    const a = locksOf(one, test);
    const other = await ctx.open();
    try {
      test.skip(
        !(await shareData(one, other)),
        "stores opened by the suite do not share data (e.g. two memory stores)",
      );
      const b = locksOf(other, test);
      const key = unique("shared-race");
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).acquire(key, 600)),
      );
      const winners = results.filter((release) => release !== null);
      expect(winners).toHaveLength(1);
      expect(await a.acquire(key, 600)).toBeNull();
      expect(await b.acquire(key, 600)).toBeNull();
      // A release goes through whichever store acquired; the other then gets the key.
      await winners[0]?.();
      const next = held(await b.acquire(key, 600));
      expect(await a.acquire(key, 600)).toBeNull();
      await next();
      await held(await a.acquire(key, 600))();
    } finally {
      await other.close();
    }
  });

  it("acquire rejects a TTL that is not a positive finite number of seconds", async (test) => {
    const locks = locksOf(ctx.store(), test);
    const key = unique("bad-ttl");
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(locks.acquire(key, ttl)).rejects.toThrow(RangeError);
    }
    await held(await locks.acquire(key, 600))();
  });

  it("a closed store's acquire rejects", async (test) => {
    const closed = await ctx.open();
    await closed.close();
    await expect(locksOf(closed, test).acquire(unique("closed"), 600)).rejects.toThrow();
  });

  if (ctx.clock) {
    const clock = ctx.clock;

    it("a lock is held until its TTL has passed, and free from then on", async (test) => {
      const locks = locksOf(ctx.store(), test);
      const key = unique("expiry");
      held(await locks.acquire(key, 10));
      clock.advance(9_999);
      expect(await locks.acquire(key, 10)).toBeNull();
      clock.advance(1);
      const next = held(await locks.acquire(key, 10));
      expect(await locks.acquire(key, 10)).toBeNull();
      await next();
    });

    it("honours fractional TTLs", async (test) => {
      const locks = locksOf(ctx.store(), test);
      const key = unique("fractional");
      held(await locks.acquire(key, 0.25));
      clock.advance(249);
      expect(await locks.acquire(key, 0.25)).toBeNull();
      clock.advance(1);
      await held(await locks.acquire(key, 0.25))();
    });

    it("a stale holder's release does not free the key another took after expiry", async (test) => {
      const locks = locksOf(ctx.store(), test);
      const key = unique("stale");
      const stale = held(await locks.acquire(key, 1));
      clock.advance(1_000);
      const current = held(await locks.acquire(key, 600));
      await stale();
      expect(await locks.acquire(key, 600)).toBeNull();
      await current();
      await held(await locks.acquire(key, 600))();
    });
  } else {
    it("a lock is free once its TTL has passed, and a stale release frees nothing (real time)", async (test) => {
      const locks = locksOf(ctx.store(), test);
      const [kept, expiring] = [unique("kept"), unique("expiring")];
      const keeper = held(await locks.acquire(kept, 600));
      const stale = held(await locks.acquire(expiring, 1));
      await sleep(1_100);
      expect(await locks.acquire(kept, 600)).toBeNull();
      const current = held(await locks.acquire(expiring, 600));
      await stale();
      expect(await locks.acquire(expiring, 600)).toBeNull();
      await current();
      await keeper();
    });
  }
}
