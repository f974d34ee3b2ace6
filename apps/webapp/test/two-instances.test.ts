/**
 * Two reference-app processes on two ports, sharing one PostgreSQL database (the directory side)
 * and one Redis (the session side), as two machines behind a load balancer would: a session made
 * on one works on the other, a sign-out or an admin action on one reaches the other within the
 * session cache time, and a refresh needed by both at once happens once.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import pg from "pg";
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
  get,
  registerBases,
  signIn,
  storeOpened,
} from "./support/instances.js";

const POSTGRES =
  process.env.ENTRANCE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const database = `entrance_two_${randomBytes(6).toString("hex")}`;

async function postgres(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Real processes on a shared, loaded machine: generous bounds, which are never claims of speed.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const describeWithRedisServer = requireComponent(
  "redis-server",
  await redisBinariesPresent(),
  "apt-get install redis-server (redis-server on the PATH)",
);

describeWithRedisServer("two reference-app processes sharing PostgreSQL and Redis", () => {
  let emulator: RunningEmulator;
  let redis: RedisServer | undefined;
  let folder: string;
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "entrance-two-"));
    redis = await startRedisServer(folder);
    await postgres(`create database "${database}"`);
    emulator = await startEmulator();
    const ports = [await freePort(), await freePort()] as const;
    const env = {
      ...emulatorEnvironment(emulator),
      DATABASE_URL: `${POSTGRES.replace(/\/[^/]*$/, "")}/${database}`,
      REDIS_URL: redis.url,
      ENTRANCE_SECRET: randomBytes(32).toString("base64"),
    };
    a = appProcess(ports[0], env, folder);
    b = appProcess(ports[1], env, folder);
    registerBases(emulator, [a.base, b.base]);
    // Both at once: the migrations are safe when several instances start together.
    await Promise.all([a.start(), b.start()]);
    await Promise.all([storeOpened(a.base), storeOpened(b.base)]);
  });

  afterAll(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await emulator?.stop();
    await redis?.stop();
    await postgres(`drop database if exists "${database}" with (force)`);
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const signedInAs = async (base: string, cookie: string) => {
    const res = await get(base, "/api/me", cookie);
    return res.status === 200 ? ((await res.json()) as { displayName: string }).displayName : null;
  };

  it("uses on B a session made on A", async () => {
    const cookie = await signIn(emulator, a.base, "megan@contoso.onmicrosoft.com");
    expect(await signedInAs(a.base, cookie)).toBe("Megan Bowen");
    expect(await signedInAs(b.base, cookie)).toBe("Megan Bowen");
  });

  it("signs out on B a session ended on A, within the session cache time", async () => {
    const cookie = await signIn(emulator, a.base, "alex@contoso.onmicrosoft.com");
    // B has the session in its cache now.
    expect(await signedInAs(b.base, cookie)).toBe("Alex Wilber");
    const out = await fetch(`${a.base}/auth/logout`, {
      method: "POST",
      headers: { cookie, origin: a.base },
      redirect: "manual",
    });
    expect(out.status).toBe(303);
    expect(await signedInAs(a.base, cookie)).toBeNull();
    await eventually(async () => (await signedInAs(b.base, cookie)) === null);
    expect((await get(b.base, "/api/me", cookie)).status).toBe(401);
  });

  it("refreshes once at the emulator for 50 requests split across A and B that all need it", async () => {
    // Tokens that are due for renewal as soon as they are issued (Entrance renews 5 min early).
    emulator.control.setLifetimes({ accessToken: 120 });
    const cookie = await signIn(emulator, b.base, "lee@contoso.onmicrosoft.com");
    emulator.control.setLifetimes({ accessToken: 3600 });
    emulator.control.resetCounts();
    const pages = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${i % 2 ? a.base : b.base}/profile`, { headers: { cookie }, redirect: "manual" }),
      ),
    );
    expect(pages.map((page) => page.status)).toEqual(pages.map(() => 200));
    for (const page of pages) expect(await page.text()).toContain("Lee Gu");
    expect(emulator.control.counts()["token:refresh_token"]).toBe(1);
  });

  it("ends on B the sessions of a user an admin disabled on A, within the session cache time", async () => {
    const admin = await signIn(emulator, a.base, "megan@contoso.onmicrosoft.com");
    const user = await signIn(emulator, b.base, "alex@contoso.onmicrosoft.com");
    expect(await signedInAs(b.base, user)).toBe("Alex Wilber");
    const action = `/admin/users/${defaults.contoso}/${defaults.users.noPhoto}/disable`;
    const confirm = await fetch(`${a.base}${action}`, { headers: { cookie: admin } });
    expect(confirm.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await confirm.text())?.[1];
    expect(csrf).toBeDefined();
    const done = await fetch(`${a.base}${action}`, {
      method: "POST",
      headers: {
        cookie: admin,
        origin: a.base,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ csrf: csrf ?? "" }),
      redirect: "manual",
    });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toContain("done=user-disabled");
    await eventually(async () => (await signedInAs(b.base, user)) === null);
    // And the next sign-in is refused, on either instance.
    await expect(signIn(emulator, b.base, "alex@contoso.onmicrosoft.com")).rejects.toThrow();
  });
});
