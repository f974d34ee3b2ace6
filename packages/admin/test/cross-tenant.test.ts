/**
 * Security review, finding 1 (high): in a multi-tenant app each customer tenant's administrators
 * assign app roles on their own copy of the app, so a role from another tenant must not open the
 * admin panel. The attack: a Fabrikam user given Entrance.Admin inside Fabrikam signs in to the
 * app (registered in Contoso), lists Contoso's users and disables one.
 */
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createMemoryStore } from "../../core/src/index.js";
import { entranceFor, fresh } from "../../core/test/support/emulated.js";
import { createAdmin } from "../src/index.js";
import { browserSignedInAs, csrfOf, get, post } from "./support.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
  // Fabrikam's own administrator assigns the app's admin role to Mallory, in Fabrikam.
  const mallory = emulator.directory.user(defaults.users.sameMail)?.value;
  if (!mallory) throw new Error("the built-in directory has no Mallory");
  emulator.control.putUser(defaults.fabrikam, {
    ...mallory,
    appRoles: { [defaults.webApp]: ["Entrance.Admin"] },
  });
});
afterAll(async () => {
  await emulator?.stop();
});

const LEE = `/admin/users/${defaults.contoso}/${defaults.users.member}`;
const MALLORY = "mallory@fabrikam.onmicrosoft.com";

describe("app roles from another tenant", () => {
  it("do not open the admin panel or let its actions run, though the token carries the role", async () => {
    const { store, entrance } = fresh(emulator); // multi-tenant, trusting Contoso only
    const admin = createAdmin(entrance);
    await browserSignedInAs(emulator, entrance, "lee@contoso.onmicrosoft.com");
    const mallory = await browserSignedInAs(emulator, entrance, MALLORY);
    // The emulator did put the role in her token: the stored record says so.
    const stored = await store.users.get(defaults.fabrikam, defaults.users.sameMail);
    if (!stored) throw new Error("Mallory was not stored");
    expect(stored.roles).toEqual(["Entrance.Admin"]);

    const list = await get(admin, mallory, "/admin/users");
    expect(list.status).toBe(403);
    expect(await list.text()).not.toContain("Lee Gu");

    const confirmPage = await get(admin, mallory, `${LEE}/disable`);
    expect(confirmPage.status).toBe(403);
    const forged = await post(admin, mallory, `${LEE}/disable`, { csrf: "x" });
    expect(forged.status).toBe(403);
    expect((await store.users.get(defaults.contoso, defaults.users.member))?.disabled).toBe(false);

    // What the app sees of her: no roles, no permissions.
    const session = await entrance.getSession(mallory.header);
    expect(session?.user.roles).toEqual([]);
    expect(entrance.permissionsOf(stored)).toEqual([]);
    expect(await entrance.authorize(stored, { roles: ["Entrance.Admin"] })).toMatchObject({
      allowed: false,
    });

    // Contoso's administrator sees her role, marked as not counted.
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    const users = await (await get(admin, megan, "/admin/users?q=mallory")).text();
    expect(users).toContain("(not counted: untrusted tenant)");
    const meganRow = await (await get(admin, megan, "/admin/users?q=Megan%20Bowen")).text();
    expect(meganRow).not.toContain("not counted");
  });

  it("count once the app trusts that tenant", async () => {
    const store = createMemoryStore();
    const entrance = entranceFor(emulator, store, {
      authorization: { trustedTenants: [defaults.contoso, defaults.fabrikam] },
    });
    const admin = createAdmin(entrance);
    await browserSignedInAs(emulator, entrance, "lee@contoso.onmicrosoft.com");
    const mallory = await browserSignedInAs(emulator, entrance, MALLORY);
    expect((await get(admin, mallory, "/admin/users")).status).toBe(200);
    const page = await get(admin, mallory, `${LEE}/disable`);
    expect(page.status).toBe(200);
    const done = await post(admin, mallory, `${LEE}/disable`, { csrf: csrfOf(await page.text()) });
    expect(done.status).toBe(303);
    expect((await store.users.get(defaults.contoso, defaults.users.member))?.disabled).toBe(true);
  });

  it("a multi-tenant app with no trusted tenant lets nobody in, and says so at start-up", async () => {
    const logger = { warn: vi.fn(), error: vi.fn() };
    const store = createMemoryStore();
    const entrance = entranceFor(emulator, store, {
      logger,
      authorization: {
        trustedTenants: [],
        permissions: { "orders.approve": { roles: ["Entrance.Admin"], groups: [] } },
      },
    });
    expect(logger.warn).toHaveBeenCalledWith(
      { event: "no_trusted_tenant" },
      expect.stringContaining("ENTRANCE_TRUSTED_TENANTS"),
    );
    const admin = createAdmin(entrance);
    // Through the app's logger, as the core's own warning.
    expect(logger.warn).toHaveBeenCalledWith(
      { event: "admin_nobody_can_enter" },
      expect.stringContaining("nobody can open the admin panel"),
    );
    // Megan holds the role in Contoso, the app's home — but the app was not told to trust it.
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    expect((await get(admin, megan, "/admin/users")).status).toBe(403);
  });

  it("a single-tenant app trusts its own tenant by default", async () => {
    const store = createMemoryStore();
    const entrance = entranceFor(emulator, store, {
      tenantId: "contoso.onmicrosoft.com",
      authorization: { trustedTenants: [] },
    });
    const admin = createAdmin(entrance);
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    expect((await get(admin, megan, "/admin/users")).status).toBe(200);
    expect(entrance.trustsTenant(defaults.contoso)).toBe(true);
    expect(entrance.trustsTenant(defaults.fabrikam)).toBe(false);
  });
});
