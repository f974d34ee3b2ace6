/**
 * The SessionStore contract: sessions by id hash, ended one by one, by Entra sid or by user, and
 * swept once expired.
 */
import { randomUUID } from "node:crypto";
import type { SessionRecord, SessionSideStore } from "@entrance/core";
import { expect, it } from "vitest";
import {
  type ConformanceContext,
  makeSession,
  sleep,
  UNICODE_SAMPLES,
  unique,
} from "../context.js";

type UserKey = { tenantId: string; objectId: string };

const byUser = (a: UserKey, b: UserKey) =>
  a.tenantId.localeCompare(b.tenantId) || a.objectId.localeCompare(b.objectId);

/** Defines the SessionStore tests. */
export function sessionContract(ctx: ConformanceContext<SessionSideStore>): void {
  it("get of an absent session is null", async () => {
    expect(await ctx.store().sessions.get(unique("absent"))).toBeNull();
  });

  it("create then get round-trips every field, dates as Dates", async () => {
    const session = makeSession();
    await ctx.store().sessions.create(session);
    const stored = await ctx.store().sessions.get(session.idHash);
    expect(stored).toStrictEqual(session);
    for (const field of [
      "createdAt",
      "lastSeenAt",
      "idleExpiresAt",
      "absoluteExpiresAt",
    ] as const) {
      expect(stored?.[field]).toBeInstanceOf(Date);
      expect(stored?.[field].getTime()).toBe(session[field].getTime());
    }
  });

  it("round-trips null sid, ip and user agent", async () => {
    const session = makeSession({ sid: null, ip: null, userAgent: null });
    await ctx.store().sessions.create(session);
    expect(await ctx.store().sessions.get(session.idHash)).toStrictEqual(session);
  });

  it("round-trips Unicode in the user agent", async () => {
    const session = makeSession({ userAgent: UNICODE_SAMPLES.join(" | ") });
    await ctx.store().sessions.create(session);
    expect(await ctx.store().sessions.get(session.idHash)).toStrictEqual(session);
  });

  it("create of an id hash that exists rejects and keeps the first session", async () => {
    const first = makeSession();
    await ctx.store().sessions.create(first);
    const second = makeSession({ idHash: first.idHash });
    await expect(ctx.store().sessions.create(second)).rejects.toThrow();
    expect(await ctx.store().sessions.get(first.idHash)).toStrictEqual(first);
  });

  it("matches id hashes exactly: base64url is case-sensitive", async () => {
    const idHash = `${unique("hash")}-AbC`;
    const session = makeSession({ idHash });
    await ctx.store().sessions.create(session);
    expect(await ctx.store().sessions.get(idHash.toLowerCase())).toBeNull();
    expect(await ctx.store().sessions.get(idHash.toUpperCase())).toBeNull();
  });

  it("touch moves last-seen and idle expiry and nothing else", async () => {
    const session = makeSession();
    await ctx.store().sessions.create(session);
    const lastSeenAt = new Date("2025-03-04T07:00:00.123Z");
    const idleExpiresAt = new Date("2125-03-04T08:00:00.456Z");
    await ctx.store().sessions.touch(session.idHash, lastSeenAt, idleExpiresAt);
    expect(await ctx.store().sessions.get(session.idHash)).toStrictEqual({
      ...session,
      lastSeenAt,
      idleExpiresAt,
    });
  });

  it("touch of an absent session creates nothing", async () => {
    const idHash = unique("absent");
    await ctx.store().sessions.touch(idHash, new Date(), new Date());
    expect(await ctx.store().sessions.get(idHash)).toBeNull();
  });

  it("delete removes one session; deleting an absent one is not an error", async () => {
    const session = makeSession();
    const sibling = makeSession({ tenantId: session.tenantId, objectId: session.objectId });
    await ctx.store().sessions.create(session);
    await ctx.store().sessions.create(sibling);
    await ctx.store().sessions.delete(session.idHash);
    expect(await ctx.store().sessions.get(session.idHash)).toBeNull();
    expect(await ctx.store().sessions.get(sibling.idHash)).toStrictEqual(sibling);
    await expect(ctx.store().sessions.delete(session.idHash)).resolves.toBeUndefined();
  });

  it("deleteBySid ends every session with the sid and returns their users, once each", async () => {
    const sid = unique("sid");
    const objectId = randomUUID();
    const alice = { tenantId: randomUUID(), objectId };
    const bob = { tenantId: randomUUID(), objectId };
    const ending = [
      makeSession({ ...alice, sid }),
      makeSession({ ...alice, sid }),
      makeSession({ ...bob, sid }),
    ];
    const staying = [makeSession({ ...alice }), makeSession({ ...alice, sid: null })];
    for (const session of [...ending, ...staying]) await ctx.store().sessions.create(session);

    const ended = await ctx.store().sessions.deleteBySid(sid);
    expect([...ended].sort(byUser)).toStrictEqual([alice, bob].sort(byUser));
    for (const session of ending) expect(await ctx.store().sessions.get(session.idHash)).toBeNull();
    for (const session of staying) {
      expect(await ctx.store().sessions.get(session.idHash)).toStrictEqual(session);
    }
    expect(await ctx.store().sessions.deleteBySid(sid)).toStrictEqual([]);
  });

  it("deleteBySid of an unknown sid ends nothing, not even sessions without a sid", async () => {
    const session = makeSession({ sid: null });
    await ctx.store().sessions.create(session);
    for (const sid of [unique("unknown"), "", "null"]) {
      expect(await ctx.store().sessions.deleteBySid(sid)).toStrictEqual([]);
    }
    expect(await ctx.store().sessions.get(session.idHash)).toStrictEqual(session);
  });

  it("listByUser returns that user's sessions only, newest first, as stored", async () => {
    const tenantId = randomUUID();
    const objectId = randomUUID();
    const older = makeSession({
      tenantId,
      objectId,
      createdAt: new Date("2025-01-01T00:00:00.000Z"),
    });
    const newer = makeSession({
      tenantId,
      objectId,
      createdAt: new Date("2025-02-01T00:00:00.000Z"),
    });
    const sameOidOtherTenant = makeSession({ objectId });
    for (const session of [older, newer, sameOidOtherTenant])
      await ctx.store().sessions.create(session);
    expect(await ctx.store().sessions.listByUser(tenantId, objectId)).toStrictEqual([newer, older]);
    expect(await ctx.store().sessions.listByUser(randomUUID(), objectId)).toStrictEqual([]);
  });

  it("deleteByUser ends that user's sessions only and counts them", async () => {
    const tenantId = randomUUID();
    const objectId = randomUUID();
    const mine = [1, 2, 3].map(() => makeSession({ tenantId, objectId }));
    const others: SessionRecord[] = [
      makeSession({ tenantId: randomUUID(), objectId }),
      makeSession({ tenantId, objectId: randomUUID() }),
    ];
    for (const session of [...mine, ...others]) await ctx.store().sessions.create(session);

    expect(await ctx.store().sessions.deleteByUser(tenantId, objectId)).toBe(3);
    for (const session of mine) expect(await ctx.store().sessions.get(session.idHash)).toBeNull();
    for (const session of others) {
      expect(await ctx.store().sessions.get(session.idHash)).toStrictEqual(session);
    }
    expect(await ctx.store().sessions.deleteByUser(tenantId, objectId)).toBe(0);
  });

  if (ctx.clock) {
    // Stores that keep expired sessions until swept (memory, SQL): the sweep decides.
    it("deleteExpired removes idle- and absolute-expired sessions, keeps live ones, counts them", async () => {
      // Long before any other test's sessions expire, so the count is this test's alone.
      const now = new Date("1901-06-01T00:00:00.000Z");
      const [before, after] = [new Date(now.getTime() - 1), new Date(now.getTime() + 1)];
      const far = new Date("2199-01-01T00:00:00.000Z");
      const idle = makeSession({ idleExpiresAt: before, absoluteExpiresAt: far });
      const absolute = makeSession({ idleExpiresAt: far, absoluteExpiresAt: before });
      const due = makeSession({ idleExpiresAt: now, absoluteExpiresAt: far });
      const live = makeSession({ idleExpiresAt: after, absoluteExpiresAt: after });
      for (const session of [idle, absolute, due, live]) await ctx.store().sessions.create(session);

      expect(await ctx.store().sessions.deleteExpired(now)).toBe(3);
      for (const session of [idle, absolute, due]) {
        expect(await ctx.store().sessions.get(session.idHash)).toBeNull();
      }
      expect(await ctx.store().sessions.get(live.idHash)).toStrictEqual(live);
      expect(await ctx.store().sessions.deleteExpired(now)).toBe(0);
    });
  } else {
    const soon = () => new Date(Date.now() + 1_000);
    const later = () => new Date(Date.now() + 600_000);

    it("a session is gone once its idle or absolute expiry has passed (real time)", async () => {
      const user = { tenantId: randomUUID(), objectId: randomUUID() };
      const sid = unique("sid");
      const idle = makeSession({ ...user, sid, idleExpiresAt: soon(), absoluteExpiresAt: later() });
      const absolute = makeSession({ ...user, idleExpiresAt: later(), absoluteExpiresAt: soon() });
      const live = makeSession({ ...user, idleExpiresAt: later(), absoluteExpiresAt: later() });
      for (const session of [idle, absolute, live]) await ctx.store().sessions.create(session);
      await sleep(1_100);
      // A store whose server expires keys itself may have nothing left to remove.
      expect(await ctx.store().sessions.deleteExpired(new Date())).toBeGreaterThanOrEqual(0);
      expect(await ctx.store().sessions.get(idle.idHash)).toBeNull();
      expect(await ctx.store().sessions.get(absolute.idHash)).toBeNull();
      expect(await ctx.store().sessions.listByUser(user.tenantId, user.objectId)).toStrictEqual([
        live,
      ]);
      expect(await ctx.store().sessions.deleteBySid(sid)).toStrictEqual([]);
      expect(await ctx.store().sessions.deleteByUser(user.tenantId, user.objectId)).toBe(1);
    });

    it("touch keeps a session past its first idle expiry, never past its absolute one (real time)", async () => {
      const [kept, capped] = [
        makeSession({ idleExpiresAt: soon(), absoluteExpiresAt: later() }),
        makeSession({ idleExpiresAt: soon(), absoluteExpiresAt: soon() }),
      ];
      for (const session of [kept, capped]) await ctx.store().sessions.create(session);
      const lastSeenAt = new Date();
      const idleExpiresAt = later();
      for (const session of [kept, capped]) {
        await ctx.store().sessions.touch(session.idHash, lastSeenAt, idleExpiresAt);
      }
      await sleep(1_100);
      await ctx.store().sessions.deleteExpired(new Date());
      expect(await ctx.store().sessions.get(kept.idHash)).toStrictEqual({
        ...kept,
        lastSeenAt,
        idleExpiresAt,
      });
      expect(await ctx.store().sessions.get(capped.idHash)).toBeNull();
    });
  }

  it("deleteExpired rejects an invalid Date", async () => {
    await expect(ctx.store().sessions.deleteExpired(new Date(Number.NaN))).rejects.toThrow(
      TypeError,
    );
  });

  it("copies records in and out: callers cannot change what is stored", async () => {
    const createdAt = new Date("2025-01-01T00:00:00.000Z");
    const session = makeSession({ createdAt });
    await ctx.store().sessions.create(session);
    createdAt.setTime(0);
    const stored = await ctx.store().sessions.get(session.idHash);
    stored?.lastSeenAt.setTime(0);
    const again = await ctx.store().sessions.get(session.idHash);
    expect(again?.createdAt.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(again?.lastSeenAt.getTime()).toBe(session.lastSeenAt.getTime());
  });
}
