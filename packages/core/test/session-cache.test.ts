/**
 * The in-process session cache keeps what is live: a session not seen again is dropped once its
 * cacheSeconds are over, as other sessions come in — not only when the cache is full (a memory
 * benchmark found 10,000 stale entries of ~1.8 kB each held until then).
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.js";
import { Sessions } from "../src/flow/sessions.js";
import { createMemoryStore, type UserRecord } from "../src/index.js";

const CONFIG = loadConfig(
  {
    tenantId: "organizations",
    clientId: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
    clientSecret: "x",
    baseUrl: "http://localhost:3000",
    secrets: ["session-cache-test-secret-0123456789abcdef"],
  },
  {},
);

describe("the session cache", () => {
  it("drops sessions whose cacheSeconds are over as new ones are cached", async () => {
    let now = Date.now();
    const store = createMemoryStore();
    const sessions = new Sessions(CONFIG, store, () => now);
    const user: UserRecord = {
      tenantId: "9e1d7c3b-5a4f-4e2d-8c1b-0a9f8e7d6c5b",
      objectId: "f3c2b1a0-9e8d-4c7b-a6f5-e4d3c2b1a098",
      displayName: "Lee",
      username: "lee",
      mail: null,
      roles: [],
      groups: [],
      groupsOverage: false,
      firstSignInAt: new Date(now),
      lastSignInAt: new Date(now),
      disabled: false,
      resolvedGroups: null,
    };
    await store.users.upsert(user);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = await sessions.start(user, null, { ip: null, userAgent: null });
      expect(await sessions.resolve(id)).not.toBeNull();
      ids.push(id);
    }
    expect(sessions.cached).toBe(20);

    now += 6_000; // past the default cacheSeconds (5)
    for (let i = 0; i < 5; i++) {
      expect(await sessions.resolve(ids[i])).not.toBeNull(); // read again, cached afresh
    }
    // Each insert dropped up to four expired entries from the front: the 20 old ones are gone.
    expect(sessions.cached).toBe(5);
  });
});
