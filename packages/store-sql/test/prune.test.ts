/**
 * The first prune of a database that kept every audit event removes them in batches (a review
 * found one statement over millions of rows held SQLite's process for seconds). What a user
 * checks: every event past retention goes, across several batches, and the count is right.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EntranceStore } from "../../core/src/index.js";
import { openSqliteStore } from "../src/index.js";

let store: EntranceStore;
beforeAll(async () => {
  store = await openSqliteStore({ filename: ":memory:" });
});
afterAll(async () => {
  await store?.close();
});

const event = (at: Date) => ({
  at,
  type: "sign_in" as const,
  tenantId: null,
  objectId: null,
  actor: null,
  detail: "x",
  aadsts: null,
  ip: null,
});

describe("audit prune", () => {
  it("removes events past retention across several batches, and the surplus beyond keep", async () => {
    const old = new Date(Date.now() - 400 * 86_400_000);
    for (let i = 0; i < 12_001; i++) await store.audit.append(event(old));
    for (let i = 0; i < 300; i++) await store.audit.append(event(new Date()));
    const removed = await store.audit.prune({
      before: new Date(Date.now() - 90 * 86_400_000),
      keep: 100,
    });
    expect(removed).toBe(12_201);
    const { total, events } = await store.audit.list({ limit: 500, offset: 0 });
    expect(total).toBe(100);
    expect(events.every((e) => e.at.getTime() > old.getTime())).toBe(true);
  });
});
