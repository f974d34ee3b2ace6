import type { AccountKind, UserRecord } from "@entrance/core";
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CookieJar } from "../../core/test/support/emulated.js";
import { fresh } from "../../core/test/support/emulated.js";
import { createAdmin, type EntranceAdmin } from "../src/index.js";
import { browserSignedInAs, get, tableText, textOf } from "./support.js";

let emulator: RunningEmulator;
let admin: EntranceAdmin;
let megan: CookieJar;

const TENANT = "22222222-3333-4444-8555-666666666666";

function seeded(i: number, accountKind: AccountKind): UserRecord {
  const at = new Date(Date.UTC(2025, 0, 1, 0, i));
  return {
    tenantId: TENANT,
    objectId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    accountKind,
    displayName: `${accountKind} ${String(i).padStart(2, "0")}`,
    username: `person${i}@seeded.example`,
    mail: null,
    roles: [],
    groups: [],
    groupsOverage: false,
    firstSignInAt: at,
    lastSignInAt: at,
    disabled: false,
    resolvedGroups: null,
  };
}

beforeAll(async () => {
  emulator = await startEmulator();
  const context = fresh(emulator);
  admin = createAdmin(context.entrance, { pageSize: 10 });
  megan = await browserSignedInAs(emulator, context.entrance, "megan@contoso.onmicrosoft.com");
  // 12 customers (two pages of 10), 2 guests, 1 personal account; Megan is a member.
  for (let i = 1; i <= 12; i++) await context.store.users.upsert(seeded(i, "customer"));
  await context.store.users.upsert(seeded(13, "guest"));
  await context.store.users.upsert(seeded(14, "guest"));
  await context.store.users.upsert(seeded(15, "personal"));
});
afterAll(async () => {
  await emulator?.stop();
});

describe("the users list filtered by account kind", () => {
  it("shows only customers, counts them, and keeps the filter in the paging links", async () => {
    const html = await (await get(admin, megan, "/admin/users?kind=customer")).text();
    const rows = tableText(html, "users");
    expect(textOf(html)).toContain("— 12 customers");
    expect(rows).toContain("customer 12");
    expect(rows).not.toContain("guest");
    expect(rows).not.toContain("Megan Bowen");
    expect(html).toContain('<option value="customer" selected>Customer</option>');
    expect(html).toContain('rel="next" href="/admin/users?kind=customer&#38;page=2"');
    const second = await (await get(admin, megan, "/admin/users?kind=customer&page=2")).text();
    expect(textOf(second)).toContain("Showing 11–12 of 12");
  });

  it("tells members, guests and personal accounts apart, with a search too", async () => {
    const members = tableText(
      await (await get(admin, megan, "/admin/users?kind=member")).text(),
      "users",
    );
    expect(members).toContain("Megan Bowen");
    expect(members).not.toContain("customer");
    const guests = await (await get(admin, megan, "/admin/users?kind=guest&q=person14")).text();
    expect(textOf(guests)).toContain("1 guest matching “person14”");
    expect(tableText(guests, "users")).toContain("guest 14");
    const personal = textOf(await (await get(admin, megan, "/admin/users?kind=personal")).text());
    expect(personal).toContain("— 1 personal");
  });

  it("ignores a kind it does not know, listing everyone", async () => {
    const html = await (await get(admin, megan, "/admin/users?kind=%3Cscript%3E")).text();
    expect(textOf(html)).toContain("— 16 in all");
    expect(html).not.toContain("<script>");
  });
});
