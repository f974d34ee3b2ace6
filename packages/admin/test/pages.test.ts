import type { UserRecord } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CookieJar } from "../../core/test/support/emulated.js";
import { fresh } from "../../core/test/support/emulated.js";
import { createAdmin, type EntranceAdmin } from "../src/index.js";
import { browserSignedInAs, get, tableText, textOf } from "./support.js";

let emulator: RunningEmulator;
let admin: EntranceAdmin;
let megan: CookieJar;
let store: ReturnType<typeof fresh>["store"];
let adminEntrance: ReturnType<typeof fresh>["entrance"];

const TENANT = "11111111-2222-4333-8444-555555555555";

function seeded(i: number, overrides: Partial<UserRecord> = {}): UserRecord {
  const at = new Date(Date.UTC(2025, 0, 1, 0, i));
  return {
    tenantId: TENANT,
    objectId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    displayName: `Seeded Person ${String(i).padStart(2, "0")}`,
    username: `person${i}@seeded.example`,
    mail: null,
    roles: [],
    groups: [],
    groupsOverage: false,
    firstSignInAt: at,
    lastSignInAt: at,
    disabled: false,
    resolvedGroups: null,
    ...overrides,
  };
}

beforeAll(async () => {
  emulator = await startEmulator();
  const context = fresh(emulator);
  store = context.store;
  adminEntrance = context.entrance;
  admin = createAdmin(context.entrance, { pageSize: 10 });
  megan = await browserSignedInAs(emulator, context.entrance, "megan@contoso.onmicrosoft.com");
  await browserSignedInAs(emulator, context.entrance, "lee@contoso.onmicrosoft.com");
  for (let i = 1; i <= 23; i++) await store.users.upsert(seeded(i));
});
afterAll(async () => {
  await emulator?.stop();
});

describe("the users list", () => {
  it("lists users newest sign-in first, with tenant, roles, groups, sign-in times and status", async () => {
    const response = await get(admin, megan, "/admin/users");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<caption>Users");
    expect(html).toContain('<th scope="col">Last sign-in</th>');
    const text = textOf(html);
    expect(text).toContain("— 25 in all");
    expect(text).toContain("Showing 1–10 of 25");
    // The two real sign-ins are the newest.
    const rows = tableText(html, "users");
    expect(rows.indexOf("Lee Gu")).toBeLessThan(rows.indexOf("Megan Bowen"));
    expect(rows.indexOf("Megan Bowen")).toBeLessThan(rows.indexOf("Seeded Person 23"));
    expect(text).toContain("Entrance.Admin");
    expect(text).toContain("2 groups");
    expect(text).toContain("Active");
    expect(html).toContain(`href="/admin/users/${defaults.contoso}/${defaults.users.admin}"`);
    expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">/);
  });

  it("pages through every user, with previous and next links", async () => {
    const second = textOf(await (await get(admin, megan, "/admin/users?page=2")).text());
    expect(second).toContain("Showing 11–20 of 25");
    const third = await (await get(admin, megan, "/admin/users?page=3")).text();
    expect(textOf(third)).toContain("Showing 21–25 of 25");
    expect(third).toContain('rel="prev" href="/admin/users?page=2"');
    expect(third).not.toContain('rel="next"');
    expect(textOf(third)).toContain("Seeded Person 01");
    const past = textOf(await (await get(admin, megan, "/admin/users?page=9")).text());
    expect(past).toContain("Page 9 is past the end");
    const junk = textOf(await (await get(admin, megan, "/admin/users?page=-3x")).text());
    expect(junk).toContain("Showing 1–10 of 25");
  });

  it("finds users by name, username and object id, and keeps the query in the paging links", async () => {
    const byName = textOf(await (await get(admin, megan, "/admin/users?q=megan")).text());
    expect(byName).toContain("1 matching “megan”");
    expect(byName).toContain("Megan Bowen");
    const byUsername = tableText(
      await (await get(admin, megan, "/admin/users?q=lee%40contoso")).text(),
      "users",
    );
    expect(byUsername).toContain("Lee Gu");
    expect(byUsername).not.toContain("Megan Bowen");
    const byId = textOf(
      await (await get(admin, megan, `/admin/users?q=${defaults.users.member}`)).text(),
    );
    expect(byId).toContain("1 matching");
    expect(byId).toContain("Lee Gu");
    const seededPage = await (await get(admin, megan, "/admin/users?q=seeded")).text();
    expect(textOf(seededPage)).toContain("23 matching “seeded”");
    expect(seededPage).toContain('href="/admin/users?q=seeded&#38;page=2"');
    const none = textOf(await (await get(admin, megan, "/admin/users?q=nobody-at-all")).text());
    expect(none).toContain("No user matches this search.");
  });
});

describe("a user's page", () => {
  it("shows the profile, the sessions with time, IP and browser, and token scopes and expiry only", async () => {
    const response = await get(
      admin,
      megan,
      `/admin/users/${defaults.contoso}/${defaults.users.member}`,
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    const text = textOf(html);
    expect(text).toContain("Lee Gu");
    expect(text).toContain(defaults.users.member);
    expect(text).toContain("lee.gu@contoso.com");
    expect(text).toContain("Sessions — 1 session");
    expect(text).toContain("127.0.0.1");
    expect(text).toContain("test-browser");
    expect(text).toContain("User.Read");
    expect(text).toContain("Refresh token: held");
    expect(text).toContain("The ID token listed 2 groups");
    expect(html).not.toMatch(/eyJ[\w-]{10,}/);
    expect(html).toContain(
      `/admin/audit?tenant=${defaults.contoso}&#38;user=${defaults.users.member}`,
    );
  });

  it("marks the administrator's own session, and offers no way to disable themselves", async () => {
    const html = await (
      await get(admin, megan, `/admin/users/${defaults.contoso}/${defaults.users.admin}`)
    ).text();
    expect(textOf(html)).toContain("This session");
    expect(html).not.toContain('id="disable"');
    const refused = await get(
      admin,
      megan,
      `/admin/users/${defaults.contoso}/${defaults.users.admin}/disable`,
    );
    expect(refused.status).toBe(400);
    expect(textOf(await refused.text())).toContain("You cannot disable yourself");
  });

  it("tells how the groups of an overage user stand: unresolved, then resolved", async () => {
    const user = seeded(40, { groupsOverage: true, displayName: "Overage Person" });
    await store.users.upsert(user);
    const path = `/admin/users/${user.tenantId}/${user.objectId}`;
    expect(textOf(await (await get(admin, megan, path)).text())).toContain("Not resolved yet");
    await store.users.setResolvedGroups(user.tenantId, user.objectId, {
      ids: Array.from({ length: 12 }, (_, i) => `group-${i}`),
      resolvedAt: new Date(),
    });
    const text = textOf(await (await get(admin, megan, path)).text());
    expect(text).toContain("Resolved through Microsoft Graph: 12 groups");
    expect(text).toContain("and 2 more");
    expect(text).toContain("No tokens are stored for this user.");
    expect(text).toContain("No session: this user is signed in nowhere.");
  });

  it("tells members, guests and personal accounts apart, in the list and on each user", async () => {
    const guestBrowser = await browserSignedInAs(
      emulator,
      adminEntrance,
      "pradeep_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    );
    expect(guestBrowser).toBeTruthy();
    const personal = seeded(41, {
      tenantId: "9188040d-6c67-4c5b-b112-36a304b66dad",
      displayName: "Personal Person",
      accountKind: "personal",
    });
    await store.users.upsert(personal);

    const list = await (await get(admin, megan, "/admin/users?q=Person")).text();
    expect(list).toContain('<th scope="col">Account</th>');
    const row = (name: string) => new RegExp(`${name}[\\s\\S]*?</tr>`).exec(list)?.[0] ?? "";
    expect(row("Personal Person")).toContain('data-kind="personal"');
    expect(row("Seeded Person 23")).toContain('data-kind="member"');

    const guests = await (await get(admin, megan, "/admin/users?q=pradeep")).text();
    expect(tableText(guests, "users")).toContain("Guest");
    expect(guests).toContain('data-kind="guest"');
    const guestPage = textOf(
      await (
        await get(admin, megan, `/admin/users/${defaults.contoso}/${defaults.users.guest}`)
      ).text(),
    );
    expect(guestPage).toContain("Account Guest");
    expect(guestPage).toContain("the one they are a guest in, not their home tenant");
    const personalPage = textOf(
      await (
        await get(admin, megan, `/admin/users/${personal.tenantId}/${personal.objectId}`)
      ).text(),
    );
    expect(personalPage).toContain("Account Personal");
  });

  it("is a 404 for a user nobody knows", async () => {
    const response = await get(admin, megan, `/admin/users/${TENANT}/nobody`);
    expect(response.status).toBe(404);
    expect(textOf(await response.text())).toContain("No such user");
  });
});

describe("escaping", () => {
  it("escapes every value from the store and the query", async () => {
    const evil = seeded(50, {
      displayName: `<img src=x onerror="alert(1)">`,
      username: `"><script>alert(2)</script>`,
      roles: ["<b>role</b>"],
    });
    await store.users.upsert(evil);
    const list = await (await get(admin, megan, "/admin/users?q=%3Cimg")).text();
    const detail = await (
      await get(admin, megan, `/admin/users/${evil.tenantId}/${evil.objectId}`)
    ).text();
    for (const html of [list, detail]) {
      expect(html).not.toContain("<img");
      expect(html).not.toContain("<script");
      expect(html).not.toContain("<b>role");
      expect(html).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
    }
    expect(list).toContain('value="&#60;img"');
  });

  it("shows only its own notices: a crafted notice in the link shows nothing", async () => {
    const path = `/admin/users/${defaults.contoso}/${defaults.users.member}`;
    const crafted = await (
      await get(admin, megan, `${path}?done=${encodeURIComponent("<script>x</script>")}`)
    ).text();
    expect(crafted).not.toContain('id="notice"');
    expect(crafted).not.toContain("<script");
    const real = textOf(await (await get(admin, megan, `${path}?done=sessions-ended&n=2`)).text());
    expect(real).toContain("Ended 2 sessions");
  });
});
