/**
 * The configuration the Redis store exists for: Redis for the session side, SQL (here SQLite)
 * for users and the audit log, joined by composeStores; the full conformance suite runs on it.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeStores } from "@entrance/core";
import { storeConformance } from "@entrance/store-conformance";
import { openSqliteStore } from "@entrance/store-sql";
import { afterAll } from "vitest";
import { openRedisStore } from "../src/index.js";
import {
  deletePrefix,
  describeWithRedis,
  REDIS_URL,
  randomPrefix,
} from "./support/shared-redis.js";

describeWithRedis("Redis sessions with a SQLite directory", () => {
  const keyPrefix = randomPrefix();
  const folder = mkdtemp(join(tmpdir(), "entrance-redis-composed-"));
  const directoryFile = folder.then((path) => join(path, `${randomUUID()}.db`));
  afterAll(async () => rm(await folder, { recursive: true, force: true }));

  storeConformance(
    "Redis sessions with a SQLite directory",
    async ({ now }) =>
      composeStores({
        session: await openRedisStore({ url: REDIS_URL, keyPrefix }),
        directory: await openSqliteStore({ filename: await directoryFile, now }),
      }),
    () => deletePrefix(keyPrefix),
    { clock: "real" },
  );
});
