/**
 * The UserStore `list` contract: a literal, case-insensitive search over the profile and ids, newest
 * sign-in first with a stable order, pages with a total. The suite's store holds other tests'
 * users too, so each test searches for a tag of its own.
 */
import { randomUUID } from "node:crypto";
import type { AccountKind, DirectoryStore, UserRecord } from "@entrance/core";
import { expect, it } from "vitest";
import { type ConformanceContext, makeUser, unique } from "../context.js";

/** The order `list` promises: last sign-in newest first, then tenant id, then object id. */
function listOrder(a: UserRecord, b: UserRecord): number {
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    b.lastSignInAt.getTime() - a.lastSignInAt.getTime() ||
    text(a.tenantId, b.tenantId) ||
    text(a.objectId, b.objectId)
  );
}

/** Defines the UserStore `list` tests. */
export function userListContract(ctx: ConformanceContext<DirectoryStore>): void {
  const list = (options: {
    query?: string;
    accountKind?: AccountKind;
    limit: number;
    offset: number;
  }) => ctx.store().users.list(options);

  /** Stores the users; returns them. */
  async function stored(users: UserRecord[]): Promise<UserRecord[]> {
    for (const user of users) await ctx.store().users.upsert(user);
    return users;
  }

  it("finds a user by display name, username, mail, object id or tenant id, ignoring case", async () => {
    const tag = unique("find");
    const upper = tag.toUpperCase();
    const at = (minute: number) => new Date(Date.UTC(2025, 4, 1, 12, minute));
    const [byName, byUsername, byMail, byObjectId, byTenantId] = await stored([
      makeUser({ displayName: `Ada ${upper} King`, lastSignInAt: at(5) }),
      makeUser({ displayName: null, username: `${upper}@contoso.example`, lastSignInAt: at(4) }),
      makeUser({ displayName: null, mail: `x.${tag}@contoso.example`, lastSignInAt: at(3) }),
      makeUser({ displayName: null, objectId: `${randomUUID()}${tag}`, lastSignInAt: at(2) }),
      makeUser({ displayName: null, tenantId: `${tag}${randomUUID()}`, lastSignInAt: at(1) }),
    ]);
    await stored([makeUser({ displayName: "Someone else", groups: [tag], roles: [tag] })]);

    const found = await list({ query: tag.toUpperCase(), limit: 10, offset: 0 });
    expect(found).toStrictEqual({
      users: [byName, byUsername, byMail, byObjectId, byTenantId],
      total: 5,
    });
    const lower = await list({ query: `ada ${tag} king`, limit: 10, offset: 0 });
    expect(lower).toStrictEqual({ users: [byName], total: 1 });
  });

  it("orders by last sign-in newest first, then by tenant id and object id", async () => {
    const tag = unique("order");
    const same = new Date("2025-02-03T04:05:06.007Z");
    const tenantId = randomUUID();
    const users = await stored([
      makeUser({ displayName: tag, lastSignInAt: new Date(same.getTime() - 1) }),
      makeUser({ displayName: tag, lastSignInAt: same }),
      makeUser({ displayName: tag, lastSignInAt: same }),
      makeUser({ displayName: tag, lastSignInAt: same, tenantId }),
      makeUser({ displayName: tag, lastSignInAt: same, tenantId }),
      makeUser({ displayName: tag, lastSignInAt: new Date(same.getTime() + 1) }),
      makeUser({ displayName: tag, lastSignInAt: new Date(0) }),
    ]);
    const found = await list({ query: tag, limit: 500, offset: 0 });
    expect(found.total).toBe(users.length);
    expect(found.users).toStrictEqual([...users].sort(listOrder));
    expect(found.users[0]?.lastSignInAt.getTime()).toBe(same.getTime() + 1);
    expect(found.users.at(-1)?.lastSignInAt.getTime()).toBe(0);
  });

  it("pages through the matches, each page with the total of all of them", async () => {
    const tag = unique("page");
    const users = await stored(
      Array.from({ length: 7 }, (_, i) =>
        makeUser({ username: `${tag}-${i}`, lastSignInAt: new Date(Date.UTC(2025, 0, 1, i % 3)) }),
      ),
    );
    const all = [...users].sort(listOrder);
    const pages = await Promise.all(
      [0, 3, 6].map((offset) => list({ query: tag, limit: 3, offset })),
    );
    expect(pages.map((page) => page.total)).toStrictEqual([7, 7, 7]);
    expect(pages.map((page) => page.users.length)).toStrictEqual([3, 3, 1]);
    expect(pages.flatMap((page) => page.users)).toStrictEqual(all);
    expect(await list({ query: tag, limit: 2, offset: 5 })).toStrictEqual({
      users: all.slice(5, 7),
      total: 7,
    });
    expect(await list({ query: tag, limit: 10, offset: 7 })).toStrictEqual({ users: [], total: 7 });
    expect(await list({ query: tag, limit: 10, offset: 1000 })).toStrictEqual({
      users: [],
      total: 7,
    });
  });

  it("filters by account kind, with the query or alone; a record without a kind is a member", async () => {
    const tag = unique("kind");
    const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 12, minute));
    const { accountKind: _, ...withoutKind } = makeUser({ displayName: tag, lastSignInAt: at(1) });
    const [member, guest, personal, customer, otherCustomer, legacy] = await stored([
      makeUser({ displayName: tag, accountKind: "member", lastSignInAt: at(6) }),
      makeUser({ displayName: tag, accountKind: "guest", lastSignInAt: at(5) }),
      makeUser({ displayName: tag, accountKind: "personal", lastSignInAt: at(4) }),
      makeUser({ displayName: tag, accountKind: "customer", lastSignInAt: at(3) }),
      makeUser({ displayName: tag, accountKind: "customer", lastSignInAt: at(2) }),
      withoutKind,
    ]);
    const kinds = async (accountKind: AccountKind) =>
      await list({ query: tag, accountKind, limit: 10, offset: 0 });
    expect(await kinds("customer")).toStrictEqual({ users: [customer, otherCustomer], total: 2 });
    expect(await kinds("guest")).toStrictEqual({ users: [guest], total: 1 });
    expect(await kinds("personal")).toStrictEqual({ users: [personal], total: 1 });
    expect(await kinds("member")).toStrictEqual({
      users: [member, { ...legacy, accountKind: "member" }],
      total: 2,
    });
    // Paged, with the total of every match of that kind.
    expect(await list({ query: tag, accountKind: "customer", limit: 1, offset: 1 })).toStrictEqual({
      users: [otherCustomer],
      total: 2,
    });
    // Without a query, only that kind, ours among them.
    const customers = await list({ accountKind: "customer", limit: 500, offset: 0 });
    expect(customers.users.every((user) => user.accountKind === "customer")).toBe(true);
    expect(customers.users.map((user) => user.objectId)).toEqual(
      expect.arrayContaining([customer?.objectId, otherCustomer?.objectId]),
    );
  });

  it("takes the query as literal text: %, _ and \\ match only themselves", async () => {
    const tag = unique("literal");
    const [percent, , underscore, , backslash, , doubled] = await stored([
      makeUser({ displayName: `${tag} 100%` }),
      makeUser({ displayName: `${tag} 1000` }),
      makeUser({ displayName: `${tag} a_c` }),
      makeUser({ displayName: `${tag} abc` }),
      makeUser({ displayName: `${tag} \\x` }),
      makeUser({ displayName: `${tag} x` }),
      makeUser({ displayName: `${tag} \\\\` }),
    ]);
    const names = async (query: string) =>
      (await list({ query, limit: 500, offset: 0 })).users.map((user) => user.displayName);
    expect(await names(`${tag} 100%`)).toStrictEqual([percent?.displayName]);
    expect(await names(`${tag} a_c`)).toStrictEqual([underscore?.displayName]);
    expect(await names(`${tag} \\x`)).toStrictEqual([backslash?.displayName]);
    expect(await names(`${tag} \\\\`)).toStrictEqual([doubled?.displayName]);
    expect(await names(`${tag} %`)).toStrictEqual([]);
    expect(await names(`${tag} _`)).toStrictEqual([]);

    // Alone, "%" finds the users with a percent sign somewhere, not everyone.
    const withPercent = await list({ query: "%", limit: 500, offset: 0 });
    expect(withPercent.users.map((user) => user.displayName)).toContain(percent?.displayName);
    for (const user of withPercent.users) {
      const fields = [user.displayName, user.username, user.mail, user.objectId, user.tenantId];
      expect(fields.some((field) => field?.includes("%"))).toBe(true);
    }
  });

  it("matches Unicode text as written, and ASCII letters in any case", async () => {
    const tag = unique("unicode");
    const [zoe, yamada, emoji] = await stored([
      makeUser({ displayName: `Zoë Ångström ${tag}` }),
      makeUser({ displayName: null, username: `山田 太郎 ${tag}` }),
      makeUser({ displayName: null, mail: `🧑‍💻 ${tag} e\u0301` }),
    ]);
    const find = (query: string) => list({ query, limit: 500, offset: 0 });
    expect(await find(`Zoë Ångström ${tag}`)).toStrictEqual({ users: [zoe], total: 1 });
    expect(await find(`zOë Ångström ${tag.toUpperCase()}`)).toStrictEqual({
      users: [zoe],
      total: 1,
    });
    expect(await find(`太郎 ${tag}`)).toStrictEqual({ users: [yamada], total: 1 });
    expect(await find(`🧑‍💻 ${tag} e\u0301`)).toStrictEqual({ users: [emoji], total: 1 });
  });

  it("without a query (or with an empty one) lists every user", async () => {
    const users = await stored([makeUser(), makeUser()]);
    for (const query of [undefined, ""]) {
      const options = query === undefined ? {} : { query };
      const all = await list({ ...options, limit: 500, offset: 0 });
      expect(all.total).toBeGreaterThanOrEqual(users.length);
      const total = all.total;
      // Every user is on some page: page through all of them and look for ours.
      const seen: UserRecord[] = [];
      for (let offset = 0; offset < total; offset += 500) {
        seen.push(...(await list({ ...options, limit: 500, offset })).users);
      }
      expect(seen).toHaveLength(total);
      for (const user of users) expect(seen).toContainEqual(user);
    }
  });

  it("rejects a limit outside 1..500 or an offset below 0 with a RangeError", async () => {
    for (const limit of [0, -1, 501, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(list({ limit, offset: 0 }), `limit ${limit}`).rejects.toThrow(RangeError);
    }
    for (const offset of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(list({ limit: 1, offset }), `offset ${offset}`).rejects.toThrow(RangeError);
    }
    await expect(list({ limit: 1, offset: 0 })).resolves.toMatchObject({
      total: expect.any(Number),
    });
    await expect(list({ limit: 500, offset: 0 })).resolves.toMatchObject({
      total: expect.any(Number),
    });
  });

  it("copies records out: changing a listed user changes nothing stored", async () => {
    const tag = unique("copy");
    const [user] = await stored([makeUser({ displayName: tag, roles: ["Reader"] })]);
    const listed = (await list({ query: tag, limit: 1, offset: 0 })).users[0];
    (listed?.roles as string[] | undefined)?.push("Injected");
    listed?.lastSignInAt.setTime(0);
    expect((await list({ query: tag, limit: 1, offset: 0 })).users).toStrictEqual([user]);
  });
}
