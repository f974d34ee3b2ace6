import { storeConformance } from "@entrance/store-conformance";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/storage/memory.js";

storeConformance("memory store", async ({ now }) => createMemoryStore({ now }));

// Runs the suite's real-clock branch too (the one server-clock stores such as Redis take), so
// that branch is itself known to work.
storeConformance("memory store on the real clock", async () => createMemoryStore(), undefined, {
  clock: "real",
});

describe("memory store limits", () => {
  it("keeps only the newest maxAuditEvents appended", async () => {
    const store = createMemoryStore({ maxAuditEvents: 3 });
    for (let i = 1; i <= 5; i++) {
      await store.audit.append({
        at: new Date(i),
        type: "sign_in",
        tenantId: null,
        objectId: null,
        actor: null,
        detail: `e${i}`,
        aadsts: null,
        ip: null,
      });
    }
    const { events, total } = await store.audit.list({ limit: 10, offset: 0 });
    expect(total).toBe(3);
    expect(events.map((e) => e.detail)).toEqual(["e5", "e4", "e3"]);
    expect(() => createMemoryStore({ maxAuditEvents: 0 })).toThrow(RangeError);
  });
});

describe("memory store with 100,000 pending login transactions", () => {
  const PENDING = 100_000;

  it("holds one per browser for 100,000 browsers, and sweeps them all once they expire", async () => {
    let time = Date.parse("2025-06-01T00:00:00.000Z");
    const { transactions } = createMemoryStore({ now: () => time });
    for (let i = 0; i < PENDING; i++) {
      await transactions.put(`state-${i}`, "{}", 600, { id: `browser-${i}`, maxPending: 10 });
    }
    expect(await transactions.countPending()).toBe(PENDING);
    expect(await transactions.take("state-0", "browser-0")).toBe("{}");
    expect(await transactions.take(`state-${PENDING - 1}`, `browser-${PENDING - 1}`)).toBe("{}");

    time += 600_000;
    await transactions.put("late", "{}", 600, { id: "late-browser", maxPending: 10 });
    expect(await transactions.countPending()).toBe(1);
    expect(await transactions.deleteExpired()).toBe(0);
    expect(await transactions.take("state-1", "browser-1")).toBeNull();
    expect(await transactions.take("late", "late-browser")).toBe("{}");
  });

  it("keeps only the newest maxPending of one browser's 100,000", async () => {
    const { transactions } = createMemoryStore();
    const browser = { id: "busy-browser", maxPending: 10 };
    for (let i = 0; i < PENDING; i++) await transactions.put(`state-${i}`, "{}", 600, browser);
    expect(await transactions.countPending()).toBe(10);
    expect(await transactions.take(`state-${PENDING - 11}`, browser.id)).toBeNull();
    for (let i = PENDING - 10; i < PENDING; i++) {
      expect(await transactions.take(`state-${i}`, browser.id)).toBe("{}");
    }
    expect(await transactions.countPending()).toBe(0);
  });
});
