/**
 * An app restart loses nothing: on a SQLite file, on PostgreSQL, and with the session side on a
 * Redis whose persistence is on (Redis restarted too), a reference-app process is stopped and
 * started again; the same cookie is still signed in, and Graph pages get their access token from
 * the stored token partition, with no sign-in and no call to the token endpoint.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { requireComponent } from "../../../packages/emulator/test/support/require.js";
import {
  type RedisServer,
  redisBinariesPresent,
  startRedisServer,
} from "../../../packages/store-redis/test/support/redis-servers.js";
import {
  type AppProcess,
  appProcess,
  emulatorEnvironment,
  freePort,
  get,
  registerBases,
  signIn,
  storeOpened,
} from "./support/instances.js";
import { createDatabase, redisCounts, type TestDatabase } from "./support/stores.js";

// Real processes on a shared, loaded machine: generous bounds, which are never claims of speed.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const describeWithRedisServer = requireComponent(
  "redis-server",
  await redisBinariesPresent(),
  "apt-get install redis-server (redis-server on the PATH)",
);

describeWithRedisServer("an app restart", () => {
  let emulator: RunningEmulator;
  let redis: RedisServer | undefined;
  let database: TestDatabase | undefined;
  let folder: string;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "entrance-restart-"));
    redis = await startRedisServer(folder, () => ["--appendonly", "yes"]);
    database = await createDatabase("restart");
    emulator = await startEmulator();
  });

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.stop()));
    await emulator?.stop();
    await redis?.stop();
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** A reference app on `stores`, its sign-in registered, started. */
  async function started(stores: Record<string, string>): Promise<AppProcess> {
    const app = appProcess(
      await freePort(),
      {
        ...emulatorEnvironment(emulator),
        ENTRANCE_SECRET: randomBytes(32).toString("base64"),
        ...stores,
      },
      folder,
    );
    apps.push(app);
    registerBases(emulator, [app.base]);
    await app.start();
    await storeOpened(app.base);
    return app;
  }

  /**
   * Signs in, restarts the app (and whatever `between` restarts), and checks the same cookie.
   * `counts` says how many sessions and token partitions the store holds.
   */
  async function survives(
    app: AppProcess,
    counts: () => Promise<{ sessions: number; partitions: number }>,
    between: () => Promise<void> = async () => {},
  ) {
    const cookie = await signIn(emulator, app.base, "megan@contoso.onmicrosoft.com");
    expect((await get(app.base, "/profile", cookie)).status).toBe(200);
    const before = await counts();
    expect(before).toEqual({ sessions: 1, partitions: 1 });
    await app.stop();
    await between();
    await app.start();
    await storeOpened(app.base);
    emulator.control.resetCounts();
    const me = await get(app.base, "/api/me", cookie);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ displayName: "Megan Bowen" });
    const profile = await fetch(`${app.base}/profile`, { headers: { cookie } });
    expect(profile.status).toBe(200);
    expect(await profile.text()).toContain("megan@contoso.onmicrosoft.com");
    // The access token came from the stored partition: no sign-in, no token request at all.
    const calls = emulator.control.counts();
    expect(Object.keys(calls).filter((name) => /^(?:token|authorize)/.test(name))).toEqual([]);
    expect(calls.graph).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
  }

  it("keeps sessions and token partitions on a SQLite file", async () => {
    const file = join(folder, "entrance.db");
    const app = await started({ DATABASE_URL: file });
    await survives(app, async () => {
      const db = new Database(file, { readonly: true });
      try {
        const count = (table: string) =>
          (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
        return {
          sessions: count("entrance_sessions"),
          partitions: count("entrance_token_partitions"),
        };
      } finally {
        db.close();
      }
    });
  });

  it("keeps sessions and token partitions on PostgreSQL", async () => {
    const app = await started({ DATABASE_URL: database?.url ?? "" });
    await survives(app, async () => {
      const { sessions, partitions } = (await database?.counts()) ?? {};
      return { sessions: sessions ?? -1, partitions: partitions ?? -1 };
    });
  });

  it("keeps sessions and token partitions in Redis with persistence on, Redis restarted too", async () => {
    const url = redis?.url ?? "";
    const app = await started({ DATABASE_URL: join(folder, "directory.db"), REDIS_URL: url });
    await survives(
      app,
      () => redisCounts(url),
      async () => {
        await redis?.stop();
        await redis?.start();
      },
    );
  });
});
