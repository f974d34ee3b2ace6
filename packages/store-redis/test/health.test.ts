/**
 * The health check on a redis-server of this file's own, which it stops and starts again: the
 * store answers, then reports that it does not (without throwing or hanging), then answers again
 * once the server is back.
 */
import { storeHealth } from "@entrance/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { requireComponent } from "../../emulator/test/support/require.js";
import { openRedisStore } from "../src/index.js";
import {
  type RedisServer,
  redisBinariesPresent,
  serverFolder,
  startRedisServer,
} from "./support/redis-servers.js";

const describeWithRedisServer = requireComponent(
  "redis-server",
  await redisBinariesPresent(),
  "apt-get install redis-server (redis-server on the PATH)",
);

describeWithRedisServer("Redis store health", () => {
  let server: RedisServer | undefined;
  let folder: Awaited<ReturnType<typeof serverFolder>> | undefined;
  beforeAll(async () => {
    folder = await serverFolder();
    server = await startRedisServer(folder.path);
  });
  afterAll(async () => {
    await server?.stop();
    await folder?.remove();
  });

  it("answers while the server runs, says it does not once stopped, and answers again after", async () => {
    if (!server) throw new Error("the server did not start");
    const store = await openRedisStore({ url: server.url });
    try {
      const up = await storeHealth(store);
      expect(up.ok).toBe(true);
      expect(up.latencyMs).toBeGreaterThanOrEqual(0);
      expect(up.error).toBeUndefined();

      await server.stop();
      const down = await storeHealth(store, { timeoutMs: 1_000 });
      expect(down.ok).toBe(false);
      expect(down.error).toMatch(
        /no answer within 1000 ms|ECONNREFUSED|Connection is closed|max retries per request/,
      );
      // A store call meanwhile fails with an error of its own; nothing crashes.
      await expect(store.sessions.get("any")).rejects.toThrow();

      await server.start();
      // ioredis reconnects by itself, on its own schedule: ask until it answers (bounded).
      let again = await storeHealth(store, { timeoutMs: 1_000 });
      for (let attempt = 0; !again.ok && attempt < 30; attempt += 1) {
        again = await storeHealth(store, { timeoutMs: 1_000 });
      }
      expect(again).toMatchObject({ ok: true });
      expect(await store.sessions.get("any")).toBeNull();
    } finally {
      await store.close();
    }
    const closed = await storeHealth(store);
    expect(closed).toMatchObject({ ok: false, error: "The Redis store is closed" });
  }, 90_000);
});
