/** Each guard's answers: sign in first, 403 saying what is missing, consent and back. */
import { defaults } from "@entrance/emulator";
import { describe, expect, it } from "vitest";
import { Browser, signedIn } from "./browser.js";
import { GUARDS, type GuardName, REQUIRES } from "./harness.js";
import type { Running } from "./setup.js";

const MEGAN = "megan@contoso.onmicrosoft.com"; // Entrance.Admin, in Engineering
const LEE = "lee@contoso.onmicrosoft.com"; // no role, in Engineering
const ALEX = "alex@contoso.onmicrosoft.com"; // Orders.Approve, not in Engineering

export function guardCases(t: () => Running): void {
  describe("guards", () => {
    it("send a page request that is not signed in to sign in and back, and answer an API 401 JSON", async () => {
      const anonymous = new Browser(t().base);
      for (const guard of GUARDS) {
        const page = await anonymous.page(`/page/${guard}`);
        expect(page.status, guard).toBe(302);
        expect(page.headers.get("location")).toBe(`/auth/login?returnTo=%2Fpage%2F${guard}`);
        for (const headers of [
          { accept: "application/json" },
          { "x-requested-with": "XMLHttpRequest" },
        ]) {
          const api = await anonymous.get(`/api/${guard}`, headers);
          expect(api.status, guard).toBe(401);
          expect(await api.json()).toMatchObject({
            error: "unauthenticated",
            loginUrl: `/auth/login?returnTo=%2Fapi%2F${guard}`,
          });
        }
      }
    });

    it("requireAuth lets a signed-in user through to the page and the API", async () => {
      const lee = await signedIn(t().emulator, t().base, LEE);
      await expectThrough(lee, "auth", defaults.users.member);
    });

    it("requireRole: a 403 page saying which role is missing and who is signed in; 403 JSON for an API", async () => {
      const { emulator, base } = t();
      const lee = await signedIn(emulator, base, LEE);
      const page = await lee.page("/page/role");
      expect(page.status).toBe(403);
      expect(page.headers.get("content-type")).toContain("text/html");
      const text = await page.text();
      expect(text).toContain(`This needs one of the app roles ${REQUIRES.role}.`);
      expect(text).toContain("You are signed in as Lee Gu");
      const api = await lee.api("/api/role");
      expect(api.status).toBe(403);
      expect(await api.json()).toMatchObject({
        error: "forbidden",
        missing: { roles: [REQUIRES.role] },
      });
      await expectThrough(await signedIn(emulator, base, MEGAN), "role", defaults.users.admin);
    });

    it("requireGroup: checks membership by the group's configured name", async () => {
      const { emulator, base } = t();
      const alex = await signedIn(emulator, base, ALEX);
      const page = await alex.page("/page/group");
      expect(page.status).toBe(403);
      expect(await page.text()).toContain("membership of one of the groups");
      const api = await alex.api("/api/group");
      expect(api.status).toBe(403);
      expect(await api.json()).toMatchObject({ error: "forbidden" });
      await expectThrough(await signedIn(emulator, base, MEGAN), "group", defaults.users.admin);
    });

    it("requirePermission: granted by a role the app maps to it", async () => {
      const { emulator, base } = t();
      const lee = await signedIn(emulator, base, LEE);
      expect((await lee.page("/page/permission")).status).toBe(403);
      const api = await lee.api("/api/permission");
      expect(api.status).toBe(403);
      expect(await api.json()).toMatchObject({ missing: { permissions: [REQUIRES.permission] } });
      await expectThrough(
        await signedIn(emulator, base, ALEX),
        "permission",
        defaults.users.noPhoto,
      );
    });

    it("requireScopes: missing consent goes to Entra and back to the page, which then opens", async () => {
      const { emulator, base } = t();
      const lee = await signedIn(emulator, base, LEE);
      const api = await lee.api("/api/scopes");
      expect(api.status).toBe(401);
      const body = (await api.json()) as { error: string; loginUrl: string };
      expect(body.error).toBe("interaction_required");
      expect(new URL(body.loginUrl, base).searchParams.get("scopes")).toBe(REQUIRES.scopes);

      const page = await lee.page("/page/scopes");
      expect(page.status).toBe(302);
      const loginUrl = new URL(page.headers.get("location") ?? "", base);
      expect(loginUrl.pathname).toBe("/auth/login");
      expect(loginUrl.searchParams.get("scopes")).toBe(REQUIRES.scopes);
      expect(loginUrl.searchParams.get("returnTo")).toBe("/page/scopes");
      const back = await lee.signInAt(emulator, `${loginUrl.pathname}${loginUrl.search}`, LEE);
      expect(back.headers.get("location")).toBe("/page/scopes");
      await expectThrough(lee, "scopes", defaults.users.member);
    });

    it("an Entrance error thrown in a route handler gets core's answer: consent for a page, JSON for an API", async () => {
      const { emulator, base } = t();
      const alex = await signedIn(emulator, base, ALEX);
      const api = await alex.api("/api/calendar");
      expect(api.status).toBe(401);
      expect(await api.json()).toMatchObject({ error: "interaction_required" });
      const page = await alex.page("/api/calendar");
      expect(page.status).toBe(302);
      const loginUrl = page.headers.get("location") ?? "";
      expect(new URL(loginUrl, base).searchParams.get("returnTo")).toBe("/api/calendar");
      await alex.signInAt(emulator, loginUrl, ALEX);
      const granted = await alex.api("/api/calendar");
      expect(granted.status).toBe(200);
      expect((await granted.json()).scopes).toContain(REQUIRES.scopes);
    });
  });
}

/** The guarded page and API both answer 200 for this browser. */
async function expectThrough(browser: Browser, guard: GuardName, oid: string): Promise<void> {
  const page = await browser.page(`/page/${guard}`);
  expect(page.status, `/page/${guard}`).toBe(200);
  expect(await page.text()).toBe(`<p>${guard} page</p>`);
  const api = await browser.api(`/api/${guard}`);
  expect(api.status, `/api/${guard}`).toBe(200);
  expect(await api.json()).toEqual({ guard, oid });
}
