/**
 * The one conformance suite every Entrance store runs (memory, SQLite, PostgreSQL, Redis), in the
 * manner of Lucia's `testAdapter` and Auth.js's `runBasicTests`: a store that passes it keeps
 * every promise of the contracts in `src/storage/types.ts`, and a behaviour users rely on is
 * tested once, here, not per store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EntranceStore } from "../../src/storage/types.js";
import { auditContract } from "./store-conformance/audit.js";
import { type ConformanceContext, createTestClock } from "./store-conformance/context.js";
import { lockContract } from "./store-conformance/locks.js";
import { sessionContract } from "./store-conformance/sessions.js";
import { tokenContract } from "./store-conformance/tokens.js";
import { transactionContract } from "./store-conformance/transactions.js";
import { userListContract } from "./store-conformance/user-list.js";
import { userContract } from "./store-conformance/users.js";

/** What the suite hands to `open`. */
export interface OpenStoreContext {
  /**
   * The clock (epoch milliseconds) the store must read for login-transaction and lock expiry, so
   * the suite can move time forward instead of waiting. Ignore it only with `clock: "real"`.
   */
  readonly now: () => number;
}

/** Options of {@link storeConformance}. */
export interface StoreConformanceOptions {
  /**
   * `"injected"` (default): the store reads `now` from {@link OpenStoreContext}, and expiry is
   * tested to the millisecond without waiting. `"real"`: the store keeps time itself (a server
   * clock, e.g. Redis TTLs), and expiry is tested by waiting 1.1 s past a 1 s TTL.
   */
  readonly clock?: "injected" | "real";
}

/**
 * Defines the conformance tests for a store. `open` is called once for the suite (and again for
 * tests that need a second store: those of closing, and the locks test across stores, which runs
 * when stores from `open` share one database); every test uses keys of its own (and lists
 * filter by a tag of their own), so the store may hold other data. The locks tests are skipped for a store without `locks`.
 *
 * @param name - shown in the test report, e.g. `"SQLite store"`.
 * @param open - opens the store under test.
 * @param cleanup - runs after the suite's store is closed, e.g. to drop a database schema.
 * @param options - see {@link StoreConformanceOptions}.
 * @example
 * ```ts
 * storeConformance("memory store", async ({ now }) => createMemoryStore({ now }));
 * ```
 */
export function storeConformance(
  name: string,
  open: (context: OpenStoreContext) => Promise<EntranceStore>,
  cleanup?: () => Promise<void> | void,
  options: StoreConformanceOptions = {},
): void {
  describe(`${name} conforms to the storage contracts`, () => {
    const clock = createTestClock();
    let store: EntranceStore | undefined;
    const ctx: ConformanceContext = {
      store: () => {
        if (!store) throw new Error(`${name} did not open`);
        return store;
      },
      open: () => open({ now: clock.now }),
      clock: options.clock === "real" ? null : clock,
    };

    beforeAll(async () => {
      store = await ctx.open();
    });
    afterAll(async () => {
      try {
        await store?.close();
      } finally {
        await cleanup?.();
      }
    });

    describe("users", () => userContract(ctx));
    describe("users.list", () => userListContract(ctx));
    describe("sessions", () => sessionContract(ctx));
    describe("tokens", () => tokenContract(ctx));
    describe("transactions", () => transactionContract(ctx));
    describe("locks", () => lockContract(ctx));
    describe("audit", () => auditContract(ctx));

    describe("lifecycle", () => {
      it("a closed store rejects every call", async () => {
        const other = await ctx.open();
        await other.close();
        await expect(other.users.get("t", "o")).rejects.toThrow();
        await expect(other.sessions.get("h")).rejects.toThrow();
        await expect(other.tokens.get("p")).rejects.toThrow();
        await expect(other.transactions.take("k", "o")).rejects.toThrow();
        await expect(other.transactions.countPending()).rejects.toThrow();
        await expect(other.sessions.deleteExpired(new Date())).rejects.toThrow();
        await expect(other.audit.prune({ before: new Date(0), keep: 1 })).rejects.toThrow();
        await expect(other.users.list({ limit: 1, offset: 0 })).rejects.toThrow();
        await expect(other.audit.list({ limit: 1, offset: 0 })).rejects.toThrow();
      });
    });
  });
}
