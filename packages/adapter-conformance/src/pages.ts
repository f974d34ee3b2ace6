/** What every response of the app carries, and the admin panel's access rule and forms. */
import { createMemoryStore } from "@entrance/core";
import { defaults } from "@entrance/emulator";
import { describe, expect, it } from "vitest";
import { Browser, signedIn } from "./browser.js";
import type { Running } from "./setup.js";

const MEGAN = "megan@contoso.onmicrosoft.com";
const LEE = "lee@contoso.onmicrosoft.com";
const STACK = /\bat .+:\d+:\d+/;

export function pageCases(t: () => Running): void {
  describe("responses", () => {
    it("are no-store once someone is signed in; signed-out ones are left cacheable", async () => {
      const { emulator, base } = t();
      const lee = await signedIn(emulator, base, LEE);
      for (const path of ["/", "/whoami", "/page/auth"]) {
        expect((await lee.get(path)).headers.get("cache-control"), path).toBe("no-store");
      }
      expect((await new Browser(base).get("/")).headers.get("cache-control")).toBeNull();
    });

    it("carry the security headers: CSP (forms may reach Entra), no framing, nosniff, referrer and opener policies", async () => {
      const { emulator, base } = t();
      for (const browser of [new Browser(base), await signedIn(emulator, base, LEE)]) {
        const res = await browser.page("/whoami");
        const csp = res.headers.get("content-security-policy") ?? "";
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain(`form-action 'self' ${new URL(emulator.urls.http).origin}`);
        expect(res.headers.get("x-frame-options")).toBe("DENY");
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        expect(res.headers.get("referrer-policy")).toBe("same-origin");
        expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin-allow-popups");
      }
    });
  });

  describe("a store that fails", () => {
    it("gets core's store_failed answer, a page or JSON, never the framework's own error", async () => {
      const store = createMemoryStore();
      // A second app of its own: its store is closed under it. No session cache, so the next
      // request reads the store.
      const app = await t().another({ store, session: { cacheSeconds: 0 } });
      try {
        const lee = await signedIn(t().emulator, app.baseUrl, LEE);
        expect(await (await lee.get("/whoami")).json()).toMatchObject({ signedIn: true });
        await store.close();
        const api = await lee.api("/whoami");
        expect(api.status).toBe(500);
        expect(await api.json()).toMatchObject({ error: "store_failed" });
        const page = await lee.page("/whoami");
        expect(page.status).toBe(500);
        expect(page.headers.get("content-type")).toContain("text/html");
        expect(await page.text()).not.toMatch(STACK);
      } finally {
        await app.stop();
      }
    });
  });

  describe("the admin panel", () => {
    it("sends someone not signed in to sign in, refuses a user without the role, lets an admin in", async () => {
      const { emulator, base } = t();
      const anonymous = await new Browser(base).page("/admin/users?q=x");
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get("location")).toBe(
        `/auth/login?returnTo=${encodeURIComponent("/admin/users?q=x")}`,
      );
      const lee = await signedIn(emulator, base, LEE);
      const refused = await lee.page("/admin/users");
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain("Entrance.Admin");
      const megan = await signedIn(emulator, base, MEGAN);
      const users = await megan.page("/admin/users");
      expect(users.status).toBe(200);
      expect(users.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(users.headers.get("cache-control")).toBe("no-store");
      const html = await users.text();
      expect(html).toContain('href="/admin/audit"');
      expect(html).toContain("Megan Bowen");
    });

    it("performs an action confirmed by its form (CSRF token), and refuses it cross-site", async () => {
      const { emulator, base } = t();
      const megan = await signedIn(emulator, base, MEGAN);
      const lee = await signedIn(emulator, base, LEE);
      const path = `/admin/users/${defaults.contoso}/${defaults.users.member}/end-sessions`;
      const form = await (await megan.page(path)).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1] ?? "";
      expect(csrf).not.toBe("");
      const forged = await megan.post(path, { csrf }, "https://evil.example");
      expect(forged.status).toBe(403);
      expect(await (await lee.get("/whoami")).json()).toMatchObject({ signedIn: true });
      const done = await megan.post(path, { csrf });
      expect(done.status).toBe(303);
      expect(done.headers.get("location")).toMatch(/\?done=sessions-ended&n=\d+$/);
      expect(await (await lee.get("/whoami")).json()).toMatchObject({ signedIn: false });
    });
  });
}
