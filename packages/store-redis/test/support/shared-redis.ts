/**
 * The machine's Redis (127.0.0.1:6379, or ENTRANCE_TEST_REDIS_URL), shared with other test runs:
 * each test file keys its data under a random prefix and removes those keys afterwards.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { requireComponent } from "../../../emulator/test/support/require.js";

export const REDIS_URL = process.env.ENTRANCE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether the shared Redis answers within 2 s. */
async function reachable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** `describe` for suites that need the shared Redis: skipped (or failed in CI) without it. */
export const describeWithRedis = requireComponent(
  "Redis",
  await reachable(),
  "apt-get install redis-server && service redis-server start " +
    "(or point ENTRANCE_TEST_REDIS_URL at a server)",
);

/** A key prefix no other test run uses. */
export function randomPrefix(): string {
  return `entrance-test:${randomBytes(6).toString("hex")}:`;
}

/** A plain client on the shared Redis, for what a test does outside the store. */
export function adminClient(): Redis {
  const client = new Redis(REDIS_URL);
  client.on("error", () => undefined);
  return client;
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(prefix: string): Promise<void> {
  const client = adminClient();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}
