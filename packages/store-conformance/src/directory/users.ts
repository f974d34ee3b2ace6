/**
 * The UserStore contract: users keyed by (tenant id, object id), upsert keeps admin state and
 * resolved groups. Listing is in `user-list.ts`.
 */
import { randomUUID } from "node:crypto";
import type { DirectoryStore, UserRecord } from "@entrance/core";
import { expect, it } from "vitest";
import { type ConformanceContext, makeUser, UNICODE_SAMPLES } from "../context.js";

/** Defines the UserStore tests. */
export function userContract(ctx: ConformanceContext<DirectoryStore>): void {
  it("setDisabled disables and enables a user, keeps every other field, and says when there is none", async () => {
    const user = makeUser({ disabled: false });
    await ctx.store().users.upsert(user);
    expect(await ctx.store().users.setDisabled(user.tenantId, user.objectId, true)).toBe(true);
    expect(await ctx.store().users.get(user.tenantId, user.objectId)).toStrictEqual({
      ...user,
      disabled: true,
    });
    // A sign-in (upsert) does not enable a disabled user.
    await ctx
      .store()
      .users.upsert({ ...user, lastSignInAt: new Date(user.lastSignInAt.getTime() + 1000) });
    expect((await ctx.store().users.get(user.tenantId, user.objectId))?.disabled).toBe(true);
    expect(await ctx.store().users.setDisabled(user.tenantId, user.objectId, false)).toBe(true);
    expect((await ctx.store().users.get(user.tenantId, user.objectId))?.disabled).toBe(false);
    expect(await ctx.store().users.setDisabled(randomUUID(), user.objectId, true)).toBe(false);
  });

  it("get of an absent user is null", async () => {
    expect(await ctx.store().users.get(randomUUID(), randomUUID())).toBeNull();
  });

  it("upsert of a new user stores every field and returns the stored record", async () => {
    const user = makeUser({ disabled: true });
    const returned = await ctx.store().users.upsert(user);
    expect(returned).toStrictEqual(user);
    const stored = await ctx.store().users.get(user.tenantId, user.objectId);
    expect(stored).toStrictEqual(user);
    expect(stored?.firstSignInAt).toBeInstanceOf(Date);
    expect(stored?.lastSignInAt).toBeInstanceOf(Date);
    expect(stored?.firstSignInAt.getTime()).toBe(user.firstSignInAt.getTime());
    expect(stored?.lastSignInAt.getTime()).toBe(user.lastSignInAt.getTime());
  });

  it("round-trips nulls, empty lists, the overage flag and list order", async () => {
    const sparse = makeUser({
      displayName: null,
      username: null,
      mail: null,
      roles: [],
      resolvedGroups: null,
    });
    const overage = { ...sparse, groups: [], groupsOverage: true };
    await ctx.store().users.upsert(overage);
    expect(await ctx.store().users.get(overage.tenantId, overage.objectId)).toStrictEqual(overage);

    const ordered = makeUser({ roles: ["Zeta", "Alpha", "Mu"], groups: ["g3", "g1", "g2"] });
    await ctx.store().users.upsert(ordered);
    const stored = await ctx.store().users.get(ordered.tenantId, ordered.objectId);
    expect(stored?.roles).toStrictEqual(["Zeta", "Alpha", "Mu"]);
    expect(stored?.groups).toStrictEqual(["g3", "g1", "g2"]);
  });

  it("keeps each account kind, updates it at the next sign-in, and reads a record without one as a member", async () => {
    for (const accountKind of ["member", "guest", "personal"] as const) {
      const user = makeUser({ accountKind });
      expect(await ctx.store().users.upsert(user)).toStrictEqual(user);
      expect(await ctx.store().users.get(user.tenantId, user.objectId)).toStrictEqual(user);
    }
    // A member made a guest of the tenant (or the reverse) shows as such from their next sign-in.
    const changing = makeUser({ accountKind: "member" });
    await ctx.store().users.upsert(changing);
    await ctx.store().users.upsert({ ...changing, accountKind: "guest" });
    const stored = await ctx.store().users.get(changing.tenantId, changing.objectId);
    expect(stored?.accountKind).toBe("guest");
    // Records written by apps that predate account kinds: work or school accounts, so members.
    const { accountKind: _, ...legacy } = makeUser();
    expect((await ctx.store().users.upsert(legacy)).accountKind).toBe("member");
    const listed = await ctx.store().users.list({ query: legacy.objectId, limit: 10, offset: 0 });
    expect(listed.users.map((user) => user.accountKind)).toStrictEqual(["member"]);
  });

  it("round-trips dates to the millisecond, from the epoch to far future", async () => {
    const user = makeUser({
      firstSignInAt: new Date(0),
      lastSignInAt: new Date("2199-12-31T23:59:59.999Z"),
    });
    await ctx.store().users.upsert(user);
    const stored = await ctx.store().users.get(user.tenantId, user.objectId);
    expect(stored?.firstSignInAt.getTime()).toBe(0);
    expect(stored?.lastSignInAt.toISOString()).toBe("2199-12-31T23:59:59.999Z");
  });

  it("upsert of an existing user updates the profile but keeps firstSignInAt, disabled and resolvedGroups", async () => {
    const first = makeUser({ disabled: true });
    await ctx.store().users.upsert(first);
    const again: UserRecord = {
      ...first,
      displayName: "Ada King",
      username: "ada.king@contoso.example",
      mail: null,
      roles: ["Reader"],
      groups: [],
      groupsOverage: true,
      firstSignInAt: new Date("2025-06-01T00:00:00.000Z"),
      lastSignInAt: new Date("2025-06-01T00:00:00.123Z"),
      disabled: false,
      resolvedGroups: { ids: ["other"], resolvedAt: new Date("2025-06-01T00:00:00.456Z") },
    };
    const expected = {
      ...again,
      firstSignInAt: first.firstSignInAt,
      disabled: true,
      resolvedGroups: first.resolvedGroups,
    };
    expect(await ctx.store().users.upsert(again)).toStrictEqual(expected);
    expect(await ctx.store().users.get(first.tenantId, first.objectId)).toStrictEqual(expected);
  });

  it("keeps users of two tenants with the same oid and mail apart (nOAuth)", async () => {
    const objectId = randomUUID();
    const mail = "victim@contoso.example";
    const home = makeUser({ objectId, mail, displayName: "Home", roles: ["Entrance.Admin"] });
    const other = makeUser({ objectId, mail, displayName: "Attacker", roles: [], disabled: true });
    await ctx.store().users.upsert(home);
    await ctx.store().users.upsert(other);
    expect(await ctx.store().users.get(home.tenantId, objectId)).toStrictEqual(home);
    expect(await ctx.store().users.get(other.tenantId, objectId)).toStrictEqual(other);

    await ctx.store().users.upsert({ ...other, displayName: "Renamed" });
    expect(await ctx.store().users.get(home.tenantId, objectId)).toStrictEqual(home);
  });

  it("keeps two users of one tenant with the same mail apart", async () => {
    const tenantId = randomUUID();
    const a = makeUser({ tenantId, mail: "shared@contoso.example", displayName: "A" });
    const b = makeUser({ tenantId, mail: "shared@contoso.example", displayName: "B" });
    await ctx.store().users.upsert(a);
    await ctx.store().users.upsert(b);
    expect((await ctx.store().users.get(tenantId, a.objectId))?.displayName).toBe("A");
    expect((await ctx.store().users.get(tenantId, b.objectId))?.displayName).toBe("B");
  });

  it("matches keys exactly: case and Unicode normalization are significant", async () => {
    const tenantId = randomUUID();
    const upper = makeUser({ tenantId, objectId: "ABC-e\u0301", displayName: "upper" });
    await ctx.store().users.upsert(upper);
    expect(await ctx.store().users.get(tenantId, "abc-e\u0301")).toBeNull();
    expect(await ctx.store().users.get(tenantId, "ABC-\u00e9")).toBeNull();
    expect((await ctx.store().users.get(tenantId, "ABC-e\u0301"))?.displayName).toBe("upper");
  });

  it("round-trips Unicode and JSON-hostile text in every string field", async () => {
    for (const text of UNICODE_SAMPLES) {
      const user = makeUser({
        objectId: `${randomUUID()} ${text}`,
        displayName: text,
        username: text,
        mail: text,
        roles: [text, `${text} 2`],
        groups: [text],
        resolvedGroups: { ids: [text, `${text} 3`], resolvedAt: new Date(1) },
      });
      await ctx.store().users.upsert(user);
      expect(await ctx.store().users.get(user.tenantId, user.objectId)).toStrictEqual(user);
    }
  });

  it("copies records in and out: callers cannot change what is stored", async () => {
    const roles = ["Reader"];
    const firstSignInAt = new Date("2024-01-01T00:00:00.000Z");
    const user = makeUser({ roles, firstSignInAt });
    const returned = await ctx.store().users.upsert(user);
    roles.push("Injected");
    firstSignInAt.setTime(0);
    (returned.roles as string[]).push("Injected");
    returned.lastSignInAt.setTime(0);

    const stored = await ctx.store().users.get(user.tenantId, user.objectId);
    expect(stored?.roles).toStrictEqual(["Reader"]);
    (stored?.groups as string[] | undefined)?.push("Injected");
    const again = await ctx.store().users.get(user.tenantId, user.objectId);
    expect(again?.groups).toStrictEqual(user.groups);
    expect(again?.firstSignInAt.toISOString()).toBe("2024-01-01T00:00:00.000Z");
    expect(again?.lastSignInAt.getTime()).toBe(user.lastSignInAt.getTime());
  });

  it("setResolvedGroups round-trips 1,000 ids in order, to the millisecond, and keeps every other field", async () => {
    const user = makeUser({ resolvedGroups: null });
    await ctx.store().users.upsert(user);
    const ids = Array.from({ length: 1000 }, (_, i) => `${1000 - i}-${randomUUID()}`);
    const resolvedAt = new Date("2025-07-08T09:10:11.012Z");
    expect(
      await ctx.store().users.setResolvedGroups(user.tenantId, user.objectId, { ids, resolvedAt }),
    ).toBe(true);
    expect(await ctx.store().users.get(user.tenantId, user.objectId)).toStrictEqual({
      ...user,
      resolvedGroups: { ids, resolvedAt },
    });

    const empty = { ids: [], resolvedAt: new Date(0) };
    expect(await ctx.store().users.setResolvedGroups(user.tenantId, user.objectId, empty)).toBe(
      true,
    );
    const stored = await ctx.store().users.get(user.tenantId, user.objectId);
    expect(stored?.resolvedGroups).toStrictEqual(empty);
  });

  it("setResolvedGroups with null clears them; a sign-in (upsert) keeps resolved groups", async () => {
    const user = makeUser();
    await ctx.store().users.upsert(user);
    const resolved = { ids: ["g1", "g2"], resolvedAt: new Date("2025-05-05T05:05:05.005Z") };
    await ctx.store().users.setResolvedGroups(user.tenantId, user.objectId, resolved);
    const later = new Date(user.lastSignInAt.getTime() + 60_000);
    const signIn = { ...user, lastSignInAt: later, groupsOverage: true, resolvedGroups: null };
    expect((await ctx.store().users.upsert(signIn)).resolvedGroups).toStrictEqual(resolved);
    expect(
      (await ctx.store().users.get(user.tenantId, user.objectId))?.resolvedGroups,
    ).toStrictEqual(resolved);

    expect(await ctx.store().users.setResolvedGroups(user.tenantId, user.objectId, null)).toBe(
      true,
    );
    expect(await ctx.store().users.get(user.tenantId, user.objectId)).toStrictEqual({
      ...signIn,
      firstSignInAt: user.firstSignInAt,
      resolvedGroups: null,
    });
  });

  it("setResolvedGroups of an absent user is false and creates nothing", async () => {
    const [tenantId, objectId] = [randomUUID(), randomUUID()];
    const resolved = { ids: ["g"], resolvedAt: new Date() };
    expect(await ctx.store().users.setResolvedGroups(tenantId, objectId, resolved)).toBe(false);
    expect(await ctx.store().users.get(tenantId, objectId)).toBeNull();
  });

  it("setResolvedGroups copies its argument: changing it afterwards changes nothing stored", async () => {
    const user = makeUser();
    await ctx.store().users.upsert(user);
    const ids = ["g1"];
    const resolvedAt = new Date("2025-01-01T00:00:00.000Z");
    await ctx.store().users.setResolvedGroups(user.tenantId, user.objectId, { ids, resolvedAt });
    ids.push("Injected");
    resolvedAt.setTime(0);
    const stored = await ctx.store().users.get(user.tenantId, user.objectId);
    expect(stored?.resolvedGroups).toStrictEqual({
      ids: ["g1"],
      resolvedAt: new Date("2025-01-01T00:00:00.000Z"),
    });
    (stored?.resolvedGroups?.ids as string[] | undefined)?.push("Injected");
    stored?.resolvedGroups?.resolvedAt.setTime(0);
    const again = await ctx.store().users.get(user.tenantId, user.objectId);
    expect(again?.resolvedGroups?.ids).toStrictEqual(["g1"]);
    expect(again?.resolvedGroups?.resolvedAt.getTime()).toBe(Date.UTC(2025, 0, 1));
  });

  it("setResolvedGroups rejects an invalid Date", async () => {
    const user = makeUser();
    await ctx.store().users.upsert(user);
    const bad = { ids: [], resolvedAt: new Date(Number.NaN) };
    await expect(
      ctx.store().users.setResolvedGroups(user.tenantId, user.objectId, bad),
    ).rejects.toThrow(TypeError);
    expect(await ctx.store().users.get(user.tenantId, user.objectId)).toStrictEqual(user);
  });
}
