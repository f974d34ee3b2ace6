/**
 * Sign-in with the session side in Redis (the machine's, under a random key prefix) and the
 * directory in memory: the login transaction is put and taken there, the session is created
 * there and found on later requests, and nothing of the sign-in stays pending.
 */
import {
  composeStores,
  createMemoryStore,
  type EntranceStore,
  type SessionSideStore,
} from "@entrance/core";
import { openRedisStore } from "@entrance/store-redis";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  deletePrefix,
  describeWithRedis,
  REDIS_URL,
  randomPrefix,
} from "../../store-redis/test/support/shared-redis.js";
import { requireAuth } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

describeWithRedis("Express with the session side in Redis", () => {
  const keyPrefix = randomPrefix();
  let t: TestApp | undefined;
  let observer: SessionSideStore | undefined;
  let store: EntranceStore | undefined;

  beforeAll(async () => {
    store = composeStores({
      session: await openRedisStore({ url: REDIS_URL, keyPrefix }),
      directory: createMemoryStore(),
    });
    observer = await openRedisStore({ url: REDIS_URL, keyPrefix });
    t = await startTestApp(
      (app) => {
        app.get("/private", requireAuth(), (req, res) => {
          res.json({ oid: req.entrance.user?.objectId, tid: req.entrance.user?.tenantId });
        });
      },
      { store },
    );
  });
  afterAll(async () => {
    await t?.close();
    await store?.close();
    await observer?.close();
    await deletePrefix(keyPrefix);
  });

  it("signs in, keeps the session in Redis, and knows the user on the next request", async () => {
    if (!t || !observer) throw new Error("the app did not start");
    const pendingBefore = await observer.transactions.countPending();
    const cookie = await t.signIn("megan@contoso.onmicrosoft.com");
    const res = await fetch(`${t.base}/private`, {
      headers: { cookie, accept: "application/json" },
    });
    expect(res.status).toBe(200);
    const { oid, tid } = (await res.json()) as { oid: string; tid: string };
    const sessions = await observer.sessions.listByUser(tid, oid);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.absoluteExpiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(await observer.transactions.countPending()).toBe(pendingBefore);
  });
});
