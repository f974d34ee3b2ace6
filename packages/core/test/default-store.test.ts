/**
 * The default store's choice of stores from the environment: REDIS_URL is validated with the
 * rest of the configuration, and a REDIS_URL without @entrance/store-redis installed stops
 * start-up with the command that installs it (the stores themselves are tested with their
 * adapters: packages/express/test/default-store.test.ts).
 */
import { describe, expect, it } from "vitest";
import {
  defaultStore,
  EntranceError,
  importedRedis,
  importedSql,
  loadConfig,
} from "../src/index.js";

const GOOD = {
  AZURE_TENANT_ID: "organizations",
  AZURE_CLIENT_ID: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
  AZURE_CLIENT_SECRET: "a-client-secret-value",
  ENTRANCE_BASE_URL: "https://app.example.com/",
  ENTRANCE_SECRET: "0123456789abcdef0123456789abcdef",
};

function failure(run: () => unknown): EntranceError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EntranceError);
    return error as EntranceError;
  }
  throw new Error("no error");
}

describe("REDIS_URL", () => {
  it("is read from the environment and kept as given", () => {
    const config = loadConfig({}, { ...GOOD, REDIS_URL: "rediss://:pw@redis.internal:6380/2" });
    expect(config.redisUrl).toBe("rediss://:pw@redis.internal:6380/2");
    expect(loadConfig({}, GOOD).redisUrl).toBeUndefined();
  });

  it("refuses what is not a redis:// or rediss:// URL, naming REDIS_URL, without echoing it", () => {
    for (const bad of ["http://:hunter2@redis:6379", "redis://", "hunter2"]) {
      const error = failure(() => loadConfig({}, { ...GOOD, REDIS_URL: bad }));
      expect(error.code).toBe("config_invalid");
      expect(error.message).toContain("redisUrl (REDIS_URL): must be a redis:// or rediss:// URL");
      expect(error.message).not.toContain("hunter2");
    }
  });

  it("set without @entrance/store-redis installed stops start-up with the command to install it", () => {
    const config = loadConfig({}, { ...GOOD, REDIS_URL: "redis://127.0.0.1:6379" });
    for (const openSql of [null, async () => Promise.reject(new Error("never opened"))]) {
      const error = failure(() => defaultStore(openSql, null)(config));
      expect(error.code).toBe("config_invalid");
      expect(error.message).toContain(
        "REDIS_URL is set, but @entrance/store-redis is not installed: `npm install @entrance/store-redis`",
      );
    }
  });
});

describe("the default store from the app's own import()", () => {
  it("turns a package that cannot be loaded into config_invalid naming it and the fix", async () => {
    const missing = () => import(["@entrance", "store-not-installed"].join("/"));
    const sql = importedSql(missing as () => Promise<never>);
    const redis = importedRedis(missing as () => Promise<never>);
    await expect(sql(":memory:")).rejects.toMatchObject({
      code: "config_invalid",
      message: "Entrance's default store needs @entrance/store-sql: pass `store`, or install it.",
    });
    await expect(redis("redis://127.0.0.1:6379")).rejects.toMatchObject({
      code: "config_invalid",
      message: expect.stringContaining("@entrance/store-redis: install it, or unset REDIS_URL"),
    });
  });
});
