/**
 * The session side going away under a stream of signed-in requests to a reference-app process:
 * its Redis killed and started again, then a Redis that answers slowly (`DEBUG SLEEP`). Meanwhile
 * every request gets core's 503 `store_unavailable` JSON (never a 500, a hang or a sign-out), the
 * same cookie works again by itself afterwards, and nothing stored is lost.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
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
  eventually,
  freePort,
  registerBases,
  signIn,
  storeOpened,
} from "./support/instances.js";
import { createDatabase, redisCounts, type TestDatabase } from "./support/stores.js";

const run = promisify(execFile);

// Real processes on a shared, loaded machine: generous bounds, which are never claims of speed.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const describeWithRedisServer = requireComponent(
  "redis-server",
  await redisBinariesPresent(),
  "apt-get install redis-server (redis-server on the PATH)",
);

/** What one request of the stream got. */
interface Outcome {
  readonly status: number;
  readonly error?: string | undefined;
  readonly retryAfter?: string | null;
}

describeWithRedisServer("Redis going away under a stream of signed-in requests", () => {
  let emulator: RunningEmulator;
  let redis: RedisServer | undefined;
  let database: TestDatabase | undefined;
  let folder: string;
  let env: Record<string, string>;
  let app: AppProcess;
  /** A second instance, started while Redis is down. */
  let late: AppProcess | undefined;
  let cookie: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "entrance-redis-outage-"));
    // Persistence on, every write on disk before it is acknowledged, so that what Redis held is
    // there again after it is killed; DEBUG SLEEP allowed from this machine, for the slow store.
    redis = await startRedisServer(folder, () => [
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--enable-debug-command",
      "local",
    ]);
    database = await createDatabase("outage");
    emulator = await startEmulator();
    env = {
      ...emulatorEnvironment(emulator),
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      ENTRANCE_SECRET: randomBytes(32).toString("base64"),
      ENTRANCE_STORE_TIMEOUT_MS: "500",
    };
    app = appProcess(await freePort(), env, folder);
    late = appProcess(await freePort(), env, folder);
    registerBases(emulator, [app.base, late.base]);
    await app.start();
    await storeOpened(app.base);
    cookie = await signIn(emulator, app.base, "megan@contoso.onmicrosoft.com");
    await signIn(emulator, app.base, "lee@contoso.onmicrosoft.com");
  });

  afterAll(async () => {
    await Promise.allSettled([app?.stop(), late?.stop()]);
    await emulator?.stop();
    await redis?.stop();
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** One signed-in request that reads the session side (the token partition) every time. */
  async function request(): Promise<Outcome> {
    // A bound that tells a hang from an answer; the app's own bound is 500 ms.
    const res = await fetch(`${app.base}/tokens`, {
      headers: { cookie, accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status === 200) return { status: 200 };
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    return { status: res.status, error: body.error, retryAfter: res.headers.get("retry-after") };
  }

  /** Requests one after another until `stop()`; what each got. */
  function stream() {
    const outcomes: Outcome[] = [];
    let stopped = false;
    const done = (async () => {
      while (!stopped) outcomes.push(await request());
    })();
    return {
      outcomes,
      async stop() {
        stopped = true;
        await done;
        return outcomes;
      },
    };
  }

  const counts = async () => ({
    ...(await redisCounts(redis?.url ?? "")),
    users: (await database?.counts())?.users,
  });

  const unavailable = { status: 503, error: "store_unavailable", retryAfter: "5" };

  it("answers 503 while Redis is killed, and the same cookie works once it is back", async () => {
    expect(await request()).toEqual({ status: 200 });
    const before = await counts();
    expect(before).toEqual({ sessions: 2, partitions: 2, users: 2 });
    const requests = stream();
    // A crash, not a shutdown: Redis writes nothing more on its way out.
    await redis?.stop("SIGKILL");
    await eventually(async () => requests.outcomes.some((o) => o.status === 503));
    // The probe says which side is down.
    const health = await fetch(`${app.base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      checks: { sessionStore: { ok: false }, directoryStore: { ok: true } },
    });
    await redis?.start();
    const restarted = requests.outcomes.length;
    await eventually(async () => requests.outcomes.slice(restarted).some((o) => o.status === 200));
    const outcomes = await requests.stop();
    // Only answers and clear 503s: no 500, no 401 (nobody was signed out), no hang.
    for (const outcome of outcomes) {
      expect([{ status: 200 }, unavailable]).toContainEqual(outcome);
    }
    expect(await request()).toEqual({ status: 200 });
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it("answers 503 while Redis answers slowly, and recovers by itself", async () => {
    const before = await counts();
    const requests = stream();
    // The server does nothing for 10 s: every command waits (this one included).
    const sleeping = run("redis-cli", ["-p", String(redis?.port), "debug", "sleep", "10"]);
    // Awaited below; handled now too, so that a failure before then leaves no stray rejection.
    sleeping.catch(() => {});
    await eventually(async () => requests.outcomes.some((o) => o.status === 503));
    await sleeping;
    const awake = requests.outcomes.length;
    await eventually(async () => requests.outcomes.slice(awake).some((o) => o.status === 200));
    const outcomes = await requests.stop();
    for (const outcome of outcomes) {
      expect([{ status: 200 }, unavailable]).toContainEqual(outcome);
    }
    expect(await counts()).toEqual(before);
  });

  it("opens the session side by itself once Redis answers, when it was down at start-up", async () => {
    const before = await counts();
    await redis?.stop("SIGKILL");
    await late?.start();
    // The default store opens both sides before either is used: both wait for Redis.
    const health = await fetch(`${late?.base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ checks: { sessionStore: { ok: false } } });
    const meanwhile = await fetch(`${late?.base}/tokens`, {
      headers: { cookie, accept: "application/json" },
      redirect: "manual",
    });
    expect(meanwhile.status).toBe(503);
    expect(await meanwhile.json()).toMatchObject({ error: "store_unavailable" });
    await redis?.start();
    await eventually(async () => (await fetch(`${late?.base}/healthz`)).status === 200);
    const after = await fetch(`${late?.base}/tokens`, {
      headers: { cookie, accept: "application/json" },
      redirect: "manual",
    });
    expect(after.status).toBe(200);
    expect(await counts()).toEqual(before);
  });
});
