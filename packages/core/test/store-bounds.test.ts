/**
 * Security review, findings 3 and 7: unauthenticated requests must not grow the store without
 * limit, and a sign-in's state can be spent only by the browser that started it.
 */
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore, type Entrance } from "../src/index.js";
import {
  APP_BASE,
  browse,
  CookieJar,
  entranceFor,
  fresh,
  startSignIn,
} from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

/** A memory store and a core with these options. */
function entranceWith(options: Parameters<typeof entranceFor>[2]) {
  const store = createMemoryStore();
  return { store, entrance: entranceFor(emulator, store, options) };
}

/** A request to one of Entrance's paths from `ip`, with the browser's cookies. */
async function from(entrance: Entrance, ip: string, path: string, jar = new CookieJar()) {
  const response = await entrance.handle(
    new Request(new URL(path, APP_BASE), { headers: { cookie: jar.header } }),
    { ip },
  );
  if (!response) throw new Error(`Entrance does not serve ${path}`);
  jar.take(response);
  return response;
}

describe("pending sign-ins are bounded", () => {
  it("one browser holds at most pendingSignIns.perBrowser; its newest still completes", async () => {
    const { store, entrance, jar } = fresh(emulator);
    const first = await browse(entrance, jar, "/auth/login");
    const firstState = new URL(first.headers.get("location") ?? "").searchParams.get("state");
    for (let i = 0; i < 30; i++) await browse(entrance, jar, "/auth/login");
    expect(await store.transactions.countPending()).toBe(10);

    const callback = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com");
    expect((await browse(entrance, jar, callback)).status).toBe(302);
    // The oldest was dropped to make room.
    const stale = await browse(entrance, jar, `/auth/callback?state=${firstState}&code=x`);
    expect(await stale.text()).toContain("login_transaction_missing");
  });

  it("many browsers stop at pendingSignIns.total with sign_in_busy (503), and sign-in resumes as they expire", async () => {
    let now = Date.now();
    const store = createMemoryStore({ now: () => now });
    const entrance = entranceFor(emulator, store, { pendingSignIns: { total: 50 } });
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) {
      statuses.push((await from(entrance, `198.51.100.${i}`, "/auth/login")).status);
    }
    expect(statuses.filter((s) => s === 302)).toHaveLength(50);
    expect(statuses.filter((s) => s === 503)).toHaveLength(30);
    expect(await store.transactions.countPending()).toBe(50);

    const busy = await entrance.handle(
      new Request(`${APP_BASE}/auth/login`, { headers: { accept: "application/json" } }),
    );
    expect(busy?.status).toBe(503);
    expect(await busy?.json()).toMatchObject({ error: "sign_in_busy" });

    now += 601_000; // past loginTimeout: the pending ones no longer count
    expect((await from(entrance, "198.51.100.200", "/auth/login")).status).toBe(302);
  });

  it("one address dropping its cookies cannot fill the total for everyone: too_many_sign_ins (429) past perAddress", async () => {
    const { store, entrance } = entranceWith({ pendingSignIns: { perAddress: 20 } });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      statuses.push((await from(entrance, "198.51.100.9", "/auth/login")).status);
    }
    expect(statuses.filter((s) => s === 302)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect(await store.transactions.countPending()).toBe(20);
    // An IPv6 client counts by its /64: rotating the low bits does not help.
    for (let i = 0; i < 25; i++)
      await from(entrance, `2001:db8:1:2::${i.toString(16)}`, "/auth/login");
    expect((await from(entrance, "2001:db8:1:2:ffff::1", "/auth/login")).status).toBe(429);
    // Everyone else still signs in.
    expect((await from(entrance, "203.0.113.5", "/auth/login")).status).toBe(302);
  });

  it("a flood of junk callbacks adds at most a few audit rows, counting every failure", async () => {
    const { store, entrance } = fresh(emulator);
    for (let i = 0; i < 300; i++) {
      await from(entrance, "203.0.113.9", `/auth/callback?state=junk-${i}&code=x`);
    }
    for (let i = 0; i < 100; i++) {
      await from(entrance, `192.0.2.${i}`, `/auth/callback?state=junk-${i}&code=x`);
    }
    const { events, total } = await store.audit.list({
      type: "sign_in_failed",
      limit: 500,
      offset: 0,
    });
    // One row for the 300 from one address; one per address for the next 49; one for the rest.
    expect(total).toBe(51);
    expect(events.reduce((sum, event) => sum + event.count, 0)).toBe(400);
    expect(events.find((event) => event.ip === "203.0.113.9")?.count).toBe(300);
  });

  it("one address's many kinds of failure cannot bury another address's failure", async () => {
    const { store, entrance } = fresh(emulator);
    // Distinct failures: each callback carries an error of its own, in a sign-in of its own.
    const attacker = new CookieJar();
    for (let i = 0; i < 30; i++) {
      const login = await from(entrance, "198.51.100.7", "/auth/login", attacker);
      const state = new URL(login.headers.get("location") ?? "").searchParams.get("state");
      await from(
        entrance,
        "198.51.100.7",
        `/auth/callback?state=${state}&error=junk${i}`,
        attacker,
      );
    }
    const victim = new CookieJar();
    const login = await from(entrance, "203.0.113.66", "/auth/login", victim);
    const state = new URL(login.headers.get("location") ?? "").searchParams.get("state");
    await from(
      entrance,
      "203.0.113.66",
      `/auth/callback?state=${state}&error=access_denied`,
      victim,
    );

    const { events } = await store.audit.list({ type: "sign_in_failed", limit: 100, offset: 0 });
    const fromAttacker = events.filter((event) => event.ip === "198.51.100.7");
    expect(fromAttacker).toHaveLength(6);
    expect(fromAttacker.reduce((sum, event) => sum + event.count, 0)).toBe(30);
    expect(events.find((event) => event.ip === "203.0.113.66")?.detail).toContain("access_denied");
  });
});

describe("retention", () => {
  it("sweep removes expired sessions and sign-ins, and audit events past retention", async () => {
    let now = Date.now();
    const store = createMemoryStore({ now: () => now });
    const entrance = entranceFor(emulator, store, {
      audit: { retentionDays: 30, maxEvents: 100 },
    });
    const user = { tenantId: defaults.contoso, objectId: defaults.users.member };
    const past = new Date(Date.now() - 1000);
    const later = new Date(Date.now() + 3_600_000);
    for (const [idHash, idle, absolute] of [
      ["idle-over", past, later],
      ["absolute-over", later, past],
      ["live", later, later],
    ] as const) {
      await store.sessions.create({
        idHash,
        ...user,
        sid: null,
        createdAt: past,
        lastSeenAt: past,
        idleExpiresAt: idle,
        absoluteExpiresAt: absolute,
        ip: null,
        userAgent: null,
      });
    }
    await browse(entrance, new CookieJar(), "/auth/login");
    const event = {
      type: "sign_in" as const,
      tenantId: null,
      objectId: null,
      actor: null,
      detail: "x",
      aadsts: null,
      ip: null,
    };
    await store.audit.append({ ...event, at: new Date(Date.now() - 31 * 86_400_000) });
    for (let i = 0; i < 120; i++) await store.audit.append({ ...event, at: new Date() });
    now += 601_000;

    await entrance.sweep();
    const sessions = await store.sessions.listByUser(user.tenantId, user.objectId);
    expect(sessions.map((s) => s.idHash)).toEqual(["live"]);
    expect(await store.transactions.countPending()).toBe(0);
    const { total } = await store.audit.list({ limit: 1, offset: 0 });
    expect(total).toBe(100);
  });
});

describe("a sign-in's state", () => {
  it("cannot be spent by another browser that learnt it: the real user's sign-in still completes", async () => {
    const { entrance, jar } = fresh(emulator);
    const callback = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com");
    // The attacker has a binding of their own (they started a sign-in too), and one with none.
    const attacker = new CookieJar();
    await browse(entrance, attacker, "/auth/login");
    expect((await browse(entrance, attacker, callback)).status).toBe(400);
    expect((await browse(entrance, new CookieJar(), callback)).status).toBe(400);

    const done = await browse(entrance, jar, callback);
    expect(done.status).toBe(302);
    expect(await entrance.getSession(jar.header)).not.toBeNull();
  });
});
