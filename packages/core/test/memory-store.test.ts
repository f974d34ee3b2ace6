import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/storage/memory.js";
import { storeConformance } from "./support/store-conformance.js";

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
