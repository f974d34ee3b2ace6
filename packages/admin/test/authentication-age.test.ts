/**
 * Security review, finding 5: roles come from the ID token of a sign-in, so the admin panel must
 * not trust one sign-in for a whole session. After `maxAuthenticationAge` it sends the
 * administrator through sign-in again, which reads the roles Entra gives now.
 */
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { browse, fresh, startSignIn } from "../../core/test/support/emulated.js";
import { createAdmin } from "../src/index.js";
import { browserSignedInAs, get } from "./support.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the admin panel's authentication age", () => {
  it("sends an administrator signed in too long ago through sign-in again, and a removed role then closes the panel", async () => {
    const { entrance } = fresh(emulator, { session: { cacheSeconds: 0 } });
    const admin = createAdmin(entrance, { maxAuthenticationAge: 3600 });
    const megan = await browserSignedInAs(emulator, entrance, "megan@contoso.onmicrosoft.com");
    expect((await get(admin, megan, "/admin/users")).status).toBe(200);

    // Her role is removed in Entra. Within the hour, the panel still trusts her sign-in.
    const user = emulator.directory.user(defaults.users.admin)?.value;
    if (!user) throw new Error("no Megan");
    emulator.control.putUser(defaults.contoso, { ...user, appRoles: {} });
    expect((await get(admin, megan, "/admin/users")).status).toBe(200);

    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3601_000 });
    const stale = await get(admin, megan, "/admin/users?q=lee");
    expect(stale.status).toBe(302);
    expect(stale.headers.get("location")).toBe(
      `/auth/login?returnTo=${encodeURIComponent("/admin/users?q=lee")}`,
    );

    // Signing in again reads the roles Entra gives now: none.
    const callback = await startSignIn(
      emulator,
      entrance,
      megan,
      "megan@contoso.onmicrosoft.com",
      "/admin/users?q=lee",
    );
    expect((await browse(entrance, megan, callback)).headers.get("location")).toBe(
      "/admin/users?q=lee",
    );
    expect((await get(admin, megan, "/admin/users?q=lee")).status).toBe(403);
  });

  it("is checked when the panel is built", () => {
    const { entrance } = fresh(emulator);
    expect(() => createAdmin(entrance, { maxAuthenticationAge: 10 })).toThrow(
      /maxAuthenticationAge/,
    );
  });
});
