/**
 * The Redis store on a Redis Cluster of three masters that this file starts (redis-server on
 * free ports, in a temporary folder) and tears down: the session-side conformance suite, whose
 * scripts would fail with CROSSSLOT if a script's keys did not share a hash slot.
 */
import { storeHealth } from "@entrance/core";
import { sessionSideContract } from "@entrance/store-conformance";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireComponent } from "../../emulator/test/support/require.js";
import { openRedisStore } from "../src/index.js";
import {
  type RedisTestCluster,
  redisBinariesPresent,
  startRedisCluster,
} from "./support/redis-servers.js";

const describeWithRedisServer = requireComponent(
  "redis-server",
  await redisBinariesPresent(),
  "apt-get install redis-server (redis-server and redis-cli on the PATH)",
);

describeWithRedisServer("Redis store on Redis Cluster", () => {
  let cluster: RedisTestCluster | undefined;
  const urls = () => {
    if (!cluster) throw new Error("the cluster did not start");
    return [...cluster.urls];
  };
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  sessionSideContract("Redis Cluster store", () => openRedisStore({ cluster: urls() }), undefined, {
    clock: "real",
  });

  it("answers a health check when every master answers", async () => {
    const store = await openRedisStore({ cluster: urls() });
    try {
      expect((await storeHealth(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });

  describe("keys", () => {
    it("spread over every master: sessions of different users land on different nodes", async () => {
      const store = await openRedisStore({ cluster: urls(), keyPrefix: "spread:" });
      const client = new Cluster(
        urls().map((url) => ({ host: "127.0.0.1", port: Number(new URL(url).port) })),
      );
      try {
        const far = new Date("2125-01-01T00:00:00.000Z");
        for (let i = 0; i < 60; i += 1) {
          await store.sessions.create({
            idHash: `spread-${i}`,
            tenantId: "t",
            objectId: `o-${i}`,
            sid: null,
            createdAt: new Date(),
            lastSeenAt: new Date(),
            idleExpiresAt: far,
            absoluteExpiresAt: far,
            ip: null,
            userAgent: null,
          });
        }
        const counts = await Promise.all(client.nodes("master").map((node) => node.dbsize()));
        expect(counts).toHaveLength(3);
        for (const count of counts) expect(count).toBeGreaterThan(0);
      } finally {
        client.disconnect();
        await store.close();
      }
    });
  });
});
