/** Sign-in, popup sign-in, sign-out with Entra's end-session hop, and front-channel logout. */
import { defaults } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import { describe, expect, it } from "vitest";
import { Browser, signedIn } from "./browser.js";
import type { Running } from "./setup.js";

const LEE = "lee@contoso.onmicrosoft.com";
const STACK = /\bat .+:\d+:\d+/;

export function signInCases(t: () => Running): void {
  describe("sign-in", () => {
    it("gives templates the user, the sign-in link back to this page, sign-out and the popup script", async () => {
      const { emulator, base } = t();
      const anonymous = await new Browser(base).get("/?tab=2");
      expect(await anonymous.json()).toEqual({
        user: null,
        loginUrl: "/auth/login?returnTo=%2F%3Ftab%3D2",
        logoutUrl: "/auth/logout",
        popupScriptUrl: "/auth/popup.js",
      });
      const lee = await signedIn(emulator, base, LEE);
      expect(await (await lee.get("/")).json()).toMatchObject({ user: LEE });
    });

    it("signs in through the emulator and comes back to the page it started from", async () => {
      const { emulator, base } = t();
      const browser = new Browser(base);
      const callback = await browser.signInAt(emulator, "/auth/login?returnTo=%2Fwhoami", LEE);
      expect(callback.status).toBe(302);
      expect(callback.headers.get("location")).toBe("/whoami");
      expect(await (await browser.get("/whoami")).json()).toEqual({
        signedIn: true,
        oid: defaults.users.member,
      });
    });

    it("signs in through a popup: the popup ends on a page that hands over to its opener", async () => {
      const { emulator, base } = t();
      const browser = new Browser(base);
      const script = await browser.get("/auth/popup.js");
      expect(script.headers.get("content-type")).toContain("javascript");
      expect(await script.text()).toContain("data-entrance-popup");
      const done = await browser.signInAt(emulator, "/auth/login?returnTo=%2Fwhoami&popup=1", LEE);
      expect(done.status).toBe(200);
      const page = await done.text();
      expect(page).toContain('<a id="continue" href="/whoami">');
      expect(page).toContain("popup-complete.js");
      expect(await (await browser.get("/whoami")).json()).toMatchObject({ signedIn: true });
    });

    it("refuses a callback carried to another browser, and nonsense, with a page and no stack", async () => {
      const { emulator, base } = t();
      const starter = new Browser(base);
      const login = await starter.get("/auth/login?returnTo=%2F");
      const { location } = await pickAccount(emulator, login.headers.get("location") ?? "", {
        user: LEE,
      });
      const other = new Browser(base);
      const stolen = await other.page(location);
      expect(stolen.status).toBe(400);
      expect(stolen.headers.get("content-type")).toContain("text/html");
      expect(await stolen.text()).not.toMatch(STACK);
      expect(await (await other.get("/whoami")).json()).toMatchObject({ signedIn: false });
      for (const path of [
        "/auth/callback?state=%00%ff&code=",
        "/auth/callback",
        "/auth/login?returnTo=%E0%A4%A",
      ]) {
        const res = await other.api(path);
        expect(res.status, path).toBeLessThan(500);
        expect(await res.text()).not.toMatch(STACK);
      }
    });
  });

  describe("sign-out", () => {
    it("asks on a GET, signs out on the POST from its own page, and hops through Entra's end-session back home", async () => {
      const { emulator, base } = t();
      const lee = await signedIn(emulator, base, LEE);
      const ask = await lee.page("/auth/logout");
      expect(ask.status).toBe(200);
      expect(ask.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(await ask.text()).toContain('<form method="post" action="/auth/logout">');
      expect(await (await lee.get("/whoami")).json()).toMatchObject({ signedIn: true });

      const out = await lee.post("/auth/logout");
      expect(out.status).toBe(303);
      const endSession = new URL(out.headers.get("location") ?? "");
      expect(endSession.origin + endSession.pathname).toBe(
        `${emulator.urls.http}/organizations/oauth2/v2.0/logout`,
      );
      expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(`${base}/`);
      expect(await (await lee.get("/whoami")).json()).toEqual({ signedIn: false, oid: null });

      const entra = await fetch(endSession, { headers: { cookie: lee.emulatorSession ?? "" } });
      expect(entra.status).toBe(200);
      expect(await entra.text()).toContain(`<a id="continue" href="${base}/">`);
    });

    it("refuses a cross-site sign-out POST and stays signed in", async () => {
      const { emulator, base } = t();
      const lee = await signedIn(emulator, base, LEE);
      const forged = await lee.post("/auth/logout", {}, "https://evil.example");
      expect(forged.status).toBe(403);
      expect(await (await lee.get("/whoami")).json()).toMatchObject({ signedIn: true });
    });

    it("front-channel logout: signing out at Entra ends the app's session, called without cookies", async () => {
      const { emulator, base } = t();
      const lee = await signedIn(emulator, base, LEE);
      const entra = await fetch(`${emulator.urls.http}/organizations/oauth2/v2.0/logout`, {
        headers: { cookie: lee.emulatorSession ?? "" },
      });
      const frame = /<iframe[^>]* src="([^"]+)"/
        .exec(await entra.text())?.[1]
        ?.replaceAll("&amp;", "&");
      expect(frame).toMatch(new RegExp(`^${base}/auth/frontchannel-logout\\?sid=`));
      // An issuer that is not the app's ends nothing.
      const foreign = await fetch(`${frame}&iss=${encodeURIComponent("https://evil.example/")}`);
      expect(foreign.status).toBe(400);
      expect(await (await lee.get("/whoami")).json()).toMatchObject({ signedIn: true });
      const called = await fetch(frame ?? "", { redirect: "manual" });
      expect(called.status).toBe(200);
      expect(await (await lee.get("/whoami")).json()).toMatchObject({ signedIn: false });
    });
  });
}
