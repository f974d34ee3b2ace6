/**
 * storeHealth: whether a store answers, never throwing. On the memory store and on stores
 * composed of two (each side pinged, the one that fails named).
 */
import { describe, expect, it } from "vitest";
import { composeStores, createMemoryStore, storeHealth } from "../src/index.js";

describe("storeHealth", () => {
  it("reports an open memory store as answering, and a closed one as not, with the reason", async () => {
    const store = createMemoryStore();
    const up = await storeHealth(store);
    expect(up.ok).toBe(true);
    expect(up.latencyMs).toBeGreaterThanOrEqual(0);
    await store.close();
    expect(await storeHealth(store)).toMatchObject({
      ok: false,
      error: "The Entrance memory store is closed",
    });
  });

  it("pings both sides of a composed store and names the side that does not answer", async () => {
    const session = createMemoryStore();
    const directory = createMemoryStore();
    const store = composeStores({ session, directory });
    expect((await storeHealth(store)).ok).toBe(true);
    await directory.close();
    expect(await storeHealth(store)).toMatchObject({
      ok: false,
      error: "The directory side did not answer: The Entrance memory store is closed",
    });
    await session.close();
  });

  it("refuses a timeout that is not a positive number", async () => {
    for (const timeoutMs of [0, -1, Number.NaN]) {
      await expect(storeHealth(createMemoryStore(), { timeoutMs })).rejects.toThrow(RangeError);
    }
  });
});
