/**
 * The one conformance suite every Entrance store runs (memory, SQLite, PostgreSQL, Redis), in the
 * manner of Lucia's `testAdapter` and Auth.js's `runBasicTests`: a store that passes it keeps
 * every promise of the storage contracts of `@entrance/core`, and a behaviour users rely on is
 * tested once, here, not per store. It comes per side, as the contracts do: a store that keeps
 * only sessions (e.g. Redis) runs {@link sessionSideContract}, one that keeps only users and the
 * audit log runs {@link directoryContract}, and a full store runs {@link storeConformance}.
 */
import type { DirectoryStore, EntranceStore, SessionSideStore } from "@entrance/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConformanceContext, createTestClock, unique } from "./context.js";
import { auditContract } from "./directory/audit.js";
import { userListContract } from "./directory/user-list.js";
import { userContract } from "./directory/users.js";
import { lockContract } from "./session-side/locks.js";
import { sessionContract } from "./session-side/sessions.js";
import { tokenContract } from "./session-side/tokens.js";
import { transactionContract } from "./session-side/transactions.js";
import { signedInContract } from "./signed-in.js";

/** What the suite hands to `open`. */
export interface OpenStoreContext {
  /**
   * The clock (epoch milliseconds) the store must read for login-transaction and lock expiry, so
   * the suite can move time forward instead of waiting. Ignore it only with `clock: "real"`.
   */
  readonly now: () => number;
}

/** Options of {@link storeConformance}, {@link sessionSideContract} and {@link directoryContract}. */
export interface StoreConformanceOptions {
  /**
   * `"injected"` (default): the store reads `now` from {@link OpenStoreContext}, and expiry is
   * tested to the millisecond without waiting. `"real"`: the store keeps time itself (a server
   * clock, e.g. Redis TTLs), and expiry is tested by waiting 1.1 s past a 1 s TTL.
   */
  readonly clock?: "injected" | "real";
}

/** Opens a store of the kind under test; `S` is the side (or both) the suite tests. */
export type OpenStore<S> = (context: OpenStoreContext) => Promise<S>;

/**
 * Defines the conformance tests of both sides, for a store that implements them all (or one
 * composed with `composeStores`). `open` is called once for the suite (and again for tests that
 * need a second store: those of closing, and the locks test across stores, which runs when stores
 * from `open` share one database); every test uses keys of its own (and lists filter by a tag of
 * their own), so the store may hold other data. The locks tests are skipped for a store without
 * `locks`.
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
  open: OpenStore<EntranceStore>,
  cleanup?: () => Promise<void> | void,
  options: StoreConformanceOptions = {},
): void {
  defineSuite(`${name} conforms to the storage contracts`, open, cleanup, options, (ctx) => {
    describe("users", () => userContract(ctx));
    describe("users.list", () => userListContract(ctx));
    describe("sessions", () => sessionContract(ctx));
    describe("tokens", () => tokenContract(ctx));
    describe("transactions", () => transactionContract(ctx));
    describe("locks", () => lockContract(ctx));
    describe("audit", () => auditContract(ctx));
    describe("signedIn", () => signedInContract(ctx));
    describe("lifecycle", () => {
      it("a closed store rejects every call", async () => {
        const other = await ctx.open();
        await other.close();
        await expectSessionSideClosed(other);
        await expectDirectoryClosed(other);
        if (other.signedIn) await expect(other.signedIn(unique("closed"))).rejects.toThrow();
      });
    });
  });
}

/**
 * Defines the conformance tests of the session side only (sessions, token partitions, login
 * transactions, locks), for a store that keeps nothing else, such as a Redis store; `open` may
 * return a full store too. Parameters as for {@link storeConformance}.
 *
 * @example
 * ```ts
 * // A store of the session side alone gets only that side's tests:
 * sessionSideContract("memory sessions", async ({ now }) => createMemoryStore({ now }));
 * ```
 */
export function sessionSideContract(
  name: string,
  open: OpenStore<SessionSideStore>,
  cleanup?: () => Promise<void> | void,
  options: StoreConformanceOptions = {},
): void {
  defineSuite(`${name} conforms to the session-side contracts`, open, cleanup, options, (ctx) => {
    describe("sessions", () => sessionContract(ctx));
    describe("tokens", () => tokenContract(ctx));
    describe("transactions", () => transactionContract(ctx));
    describe("locks", () => lockContract(ctx));
    describe("lifecycle", () => {
      it("a closed store rejects every session-side call", async () => {
        const other = await ctx.open();
        await other.close();
        await expectSessionSideClosed(other);
      });
    });
  });
}

/**
 * Defines the conformance tests of the directory side only (users and their list, the audit
 * log), for a store that keeps nothing else; `open` may return a full store too. Parameters as
 * for {@link storeConformance}; the directory side keeps no expiring data, so `options.clock`
 * changes nothing here.
 *
 * @example
 * ```ts
 * directoryContract("SQLite directory", () => openSqliteStore({ filename: ":memory:" }));
 * ```
 */
export function directoryContract(
  name: string,
  open: OpenStore<DirectoryStore>,
  cleanup?: () => Promise<void> | void,
  options: StoreConformanceOptions = {},
): void {
  defineSuite(`${name} conforms to the directory contracts`, open, cleanup, options, (ctx) => {
    describe("users", () => userContract(ctx));
    describe("users.list", () => userListContract(ctx));
    describe("audit", () => auditContract(ctx));
    describe("lifecycle", () => {
      it("a closed store rejects every directory call", async () => {
        const other = await ctx.open();
        await other.close();
        await expectDirectoryClosed(other);
      });
    });
  });
}

/** Opens the suite's store before its tests and closes it (then cleans up) after them. */
function defineSuite<S extends { close(): Promise<void> }>(
  title: string,
  open: OpenStore<S>,
  cleanup: (() => Promise<void> | void) | undefined,
  options: StoreConformanceOptions,
  parts: (ctx: ConformanceContext<S>) => void,
): void {
  describe(title, () => {
    const clock = createTestClock();
    let store: S | undefined;
    const ctx: ConformanceContext<S> = {
      store: () => {
        if (!store) throw new Error(`${title}: the store did not open`);
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

    parts(ctx);
  });
}

async function expectSessionSideClosed(store: SessionSideStore): Promise<void> {
  await expect(store.sessions.get("h")).rejects.toThrow();
  await expect(store.tokens.get("p")).rejects.toThrow();
  await expect(store.tokens.getIndex("p")).rejects.toThrow();
  await expect(store.transactions.take("k", "o")).rejects.toThrow();
  await expect(store.transactions.countPending()).rejects.toThrow();
  await expect(store.sessions.deleteExpired(new Date())).rejects.toThrow();
}

async function expectDirectoryClosed(store: DirectoryStore): Promise<void> {
  await expect(store.users.get("t", "o")).rejects.toThrow();
  await expect(store.audit.prune({ before: new Date(0), keep: 1 })).rejects.toThrow();
  await expect(store.users.list({ limit: 1, offset: 0 })).rejects.toThrow();
  await expect(store.audit.list({ limit: 1, offset: 0 })).rejects.toThrow();
}
