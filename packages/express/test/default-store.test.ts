/**
 * The default store: DATABASE_URL is validated with the rest of the configuration, so a bad value
 * (or any bad setting) stops start-up before a database file is created; with nothing set, a
 * newcomer gets SQLite in `.entrance/`, and with REDIS_URL set, sessions in Redis beside it. Run
 * in a child process in an empty folder, where the default file would appear.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { openRedisStore } from "@entrance/store-redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireComponent } from "../../emulator/test/support/require.js";
import {
  type RedisServer,
  redisBinariesPresent,
  serverFolder,
  startRedisServer,
} from "../../store-redis/test/support/redis-servers.js";

const ADAPTER = pathToFileURL(join(import.meta.dirname, "../dist/index.js")).href;
const VALID = {
  AZURE_TENANT_ID: "organizations",
  AZURE_CLIENT_ID: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
  AZURE_CLIENT_SECRET: "a-secret",
  ENTRANCE_BASE_URL: "http://localhost:3000",
  ENTRANCE_SECRET: "default-store-test-secret-0123456789abcdef",
};

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "entrance-default-store-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/**
 * Calls entrance() in a fresh Node process in `folder`, then waits for the store to open (and
 * runs `also`, with the store as `store`).
 */
function start(env: Record<string, string>, also = ""): Promise<{ code: number; output: string }> {
  const script = `
    const { entrance } = await import(${JSON.stringify(ADAPTER)});
    try {
      const auth = entrance({ logger: { warn() {}, error() {} } });
      await auth.core.store.users.get("t", "o");
      const store = auth.core.store;
      ${also}
      await auth.core.close();
      console.log("started");
    } catch (error) {
      console.log(error.code + ": " + error.message);
      process.exitCode = 3;
    }`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { cwd: folder, env: { PATH: process.env.PATH ?? "", ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe("the default store", () => {
  it("refuses a bad DATABASE_URL at start-up, naming it, without echoing it or creating a file", async () => {
    const { code, output } = await start({ ...VALID, DATABASE_URL: "mongodb://root:hunter2@db/x" });
    expect(code).toBe(3);
    expect(output).toContain("config_invalid");
    expect(output).toContain("DATABASE_URL");
    expect(output).not.toContain("hunter2");
    expect(existsSync(join(folder, ".entrance"))).toBe(false);
  });

  it("creates nothing when another setting is wrong", async () => {
    const { code, output } = await start({ ...VALID, AZURE_CLIENT_ID: "not-a-guid" });
    expect(code).toBe(3);
    expect(output).toContain("AZURE_CLIENT_ID");
    expect(existsSync(join(folder, ".entrance"))).toBe(false);
  });

  it("gives a newcomer SQLite in .entrance/ with nothing else set", async () => {
    const { code, output } = await start(VALID);
    expect(output).toContain("started");
    expect(code).toBe(0);
    expect(existsSync(join(folder, ".entrance", "entrance.db"))).toBe(true);
  });
});

const describeWithRedisServer = requireComponent(
  "redis-server",
  await redisBinariesPresent(),
  "apt-get install redis-server (redis-server on the PATH)",
);

describeWithRedisServer("the default store with REDIS_URL", () => {
  let redis: RedisServer | undefined;
  let redisFolder: Awaited<ReturnType<typeof serverFolder>> | undefined;
  beforeAll(async () => {
    redisFolder = await serverFolder();
    redis = await startRedisServer(redisFolder.path);
  });
  afterAll(async () => {
    await redis?.stop();
    await redisFolder?.remove();
  });

  it("keeps sessions in Redis and users in SQLite", async () => {
    const url = redis?.url ?? "";
    const session = {
      idHash: "default-store-session",
      tenantId: "t",
      objectId: "o",
      sid: "sid-1",
      createdAt: new Date("2026-01-01T00:00:00.000Z"),
      lastSeenAt: new Date("2026-01-01T00:00:00.000Z"),
      idleExpiresAt: new Date("2125-01-01T00:00:00.000Z"),
      absoluteExpiresAt: new Date("2125-01-01T00:00:00.000Z"),
      ip: null,
      userAgent: null,
    };
    const revive = `{ ...${JSON.stringify(session)}, ${["createdAt", "lastSeenAt", "idleExpiresAt", "absoluteExpiresAt"].map((field) => `${field}: new Date(${JSON.stringify(session[field as keyof typeof session])})`).join(", ")} }`;
    const { code, output } = await start(
      { ...VALID, REDIS_URL: url },
      `await store.sessions.create(${revive});`,
    );
    expect(output).toContain("started");
    expect(code).toBe(0);
    expect(existsSync(join(folder, ".entrance", "entrance.db"))).toBe(true);
    const direct = await openRedisStore({ url });
    try {
      expect(await direct.sessions.get(session.idHash)).toStrictEqual(session);
    } finally {
      await direct.close();
    }
  });

  it("fails the store's first use with a clear error when Redis does not answer", async () => {
    const url = redis?.url ?? "";
    await redis?.stop();
    try {
      const { code, output } = await start({
        ...VALID,
        REDIS_URL: url.replace("redis://", "redis://:hunter2@"),
      });
      expect(code).toBe(3);
      expect(output).toContain("Could not open the Redis store");
      expect(output).not.toContain("hunter2");
    } finally {
      await redis?.start();
    }
  });
});
