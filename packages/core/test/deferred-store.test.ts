/**
 * A store still opening: given an opener, a failed opening is tried again at the next call, so a
 * store unreachable at start-up is used once it answers; given a promise, a failure stays.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStore, deferredStore, type EntranceStore } from "../src/index.js";

const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

describe("deferredStore", () => {
  it("opens again at the next call after a failed opening, one opening at a time", async () => {
    const memory = createMemoryStore();
    let openings = 0;
    const store = deferredStore(async () => {
      openings += 1;
      if (openings === 1) throw refused();
      return memory;
    });
    await expect(store.users.get("t", "o")).rejects.toThrow("ECONNREFUSED");
    const [a, b] = await Promise.all([store.users.get("t", "o"), store.users.get("t", "o")]);
    expect([a, b]).toEqual([null, null]);
    expect(openings).toBe(2);
    await store.close();
  });

  it("keeps failing with the opening's error when given a promise", async () => {
    const failed: Promise<EntranceStore> = Promise.reject(refused());
    const store = deferredStore(failed);
    await expect(store.users.get("t", "o")).rejects.toThrow("ECONNREFUSED");
    await expect(store.users.get("t", "o")).rejects.toThrow("ECONNREFUSED");
  });

  it("closes nothing after a failed opening, and starts none to close", async () => {
    let openings = 0;
    const store = deferredStore(async () => {
      openings += 1;
      throw refused();
    });
    await expect(store.users.get("t", "o")).rejects.toThrow("ECONNREFUSED");
    await store.close();
    expect(openings).toBe(1);
  });
});
