/**
 * Browser attacks on the reference app's sign-in, in Chromium: login CSRF through the callback,
 * session fixation, open redirects through returnTo and sign-out, and tampered cookies. A hostile
 * site on another origin plays the attacker's pages; the store is counted before and after.
 */
import { pickAccount } from "@entrance/emulator/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { describeWithChromium } from "../../packages/emulator/test/support/browser.js";
import { type HostileSite, startHostileSite } from "./support/hostile-site.js";
import {
  defaults,
  newContosoUser,
  pickUser,
  type RunningReferenceApp,
  rows,
  sessionCookie,
  signIn,
  startReferenceApp,
  whoAmI,
} from "./support/reference-browser.js";

describeWithChromium("Browser attacks", () => {
  let running: RunningReferenceApp;
  let base: string;
  let evil: HostileSite;
  let context: BrowserContext;

  beforeAll(async () => {
    running = await startReferenceApp();
    base = running.base;
    evil = await startHostileSite("127.0.0.1");
  });

  beforeEach(async () => {
    await context?.close();
    context = await running.browser.newContext();
    context.setDefaultTimeout(15_000);
    evil.hits.length = 0;
  });

  afterAll(async () => {
    await context?.close();
    await evil?.close();
    await running?.close();
  });

  /** A callback URL for a sign-in the attacker started in their own client, not yet redeemed. */
  async function attackersCallback(upn: string): Promise<URL> {
    const login = await fetch(`${base}/auth/login`, { redirect: "manual" });
    const { location } = await pickAccount(running.emulator, login.headers.get("location") ?? "", {
      user: upn,
    });
    return new URL(location);
  }

  /** Sends the browser from a page of the hostile site to `target` (a top-level navigation). */
  async function lureTo(target: string, name = "/lure") {
    const page = await context.newPage();
    const lure = evil.page(
      name,
      `<!doctype html><script>location.href=${JSON.stringify(target)}</script>`,
    );
    const answer = page.waitForResponse((r) => r.url().startsWith(target.split("?")[0] ?? target));
    await page.goto(lure);
    const response = await answer;
    await page.waitForLoadState("load");
    return { page, status: response.status() };
  }

  it("a callback carrying another person's code and state, opened from a hostile page, is refused and stores nothing", async () => {
    const eve = newContosoUser(running, "eve-csrf");
    const callback = await attackersCallback(eve.upn);
    // The victim has a sign-in of their own pending (a binding cookie), and none at all.
    await (await context.newPage()).goto(`${base}/auth/login`);
    const before = await rows(running.store);
    const withBinding = await lureTo(callback.href);
    expect(withBinding.status).toBe(400);
    await expect(withBinding.page.locator("h1").textContent()).resolves.toBe(
      "This sign-in link has expired or was already used",
    );
    await context.clearCookies();
    const withoutBinding = await lureTo(callback.href, "/lure-again");
    expect(withoutBinding.status).toBe(400);
    await expect(withoutBinding.page.locator("h1").textContent()).resolves.toBe(
      "This sign-in was started in another browser",
    );
    expect(await sessionCookie(context, base)).toBeUndefined();
    expect(await running.store.users.get(defaults.contoso, eve.id)).toBeNull();
    const after = await rows(running.store);
    expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
    // One audit event per refusal at most (repeats from one address fold into it).
    expect(after.audit - before.audit).toBeLessThanOrEqual(2);
  });

  it("a callback with a missing or forged state is refused and stores nothing", async () => {
    const eve = newContosoUser(running, "eve-state");
    const { searchParams } = await attackersCallback(eve.upn);
    const code = searchParams.get("code") ?? "";
    await (await context.newPage()).goto(`${base}/auth/login`);
    const before = await rows(running.store);
    const noState = await lureTo(`${base}/auth/callback?code=${encodeURIComponent(code)}`);
    expect(noState.status).toBe(400);
    const forged = await lureTo(
      `${base}/auth/callback?code=${encodeURIComponent(code)}&state=forged-state`,
      "/lure-forged",
    );
    expect(forged.status).toBe(400);
    expect(await sessionCookie(context, base)).toBeUndefined();
    expect(await running.store.users.get(defaults.contoso, eve.id)).toBeNull();
    const after = await rows(running.store);
    expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
    expect(after.audit - before.audit).toBeLessThanOrEqual(2);
  });

  it("a session cookie planted before sign-in is replaced at sign-in and signs no one in", async () => {
    // The attacker's own, real session, and a made-up one, planted in the victim's browser.
    const eve = newContosoUser(running, "eve-fixation");
    const attacker = await running.browser.newContext();
    await signIn(attacker, base, eve.upn);
    const eves = (await sessionCookie(attacker, base)) ?? "";
    for (const planted of [eves, "A".repeat(43)]) {
      await context.clearCookies();
      await context.addCookies([{ name: "entrance-session", value: planted, url: base }]);
      const page = await context.newPage();
      await page.goto(`${base}/auth/login`);
      await pickUser(page, "lee@contoso.onmicrosoft.com");
      await page.waitForURL(`${base}/`);
      const after = await sessionCookie(context, base);
      expect(after).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(after).not.toBe(planted);
      expect(await whoAmI(context, base)).toBe(defaults.users.member);
      // The planted value, used by the attacker, is nobody: never the victim.
      await attacker.clearCookies();
      await attacker.addCookies([{ name: "entrance-session", value: planted, url: base }]);
      expect(await whoAmI(attacker, base)).toBe(401);
    }
    await attacker.close();
  });

  it("returnTo cannot send the browser off the site: absolute, //, /\\, encoded and control-character forms all land on the app", async () => {
    const host = new URL(evil.origin).host;
    evil.page("/stolen", "<!doctype html><title>Stolen</title>");
    const vectors = [
      `${evil.origin}/stolen`,
      `//${host}/stolen`,
      `/\\${host}/stolen`,
      `\\\\${host}/stolen`,
      `/%2F${host}/stolen`,
      `%2F%2F${host}/stolen`,
      `/%5C${host}/stolen`,
      `/%252F%252F${host}/stolen`,
      `/\t/${host}/stolen`,
      `/%09/${host}/stolen`,
      `/.//${host}/stolen`,
      `/../${host}/stolen`,
      `///${host}/stolen`,
      ` //${host}/stolen`,
      `http:${host}/stolen`,
      `http:/${host}/stolen`,
      `javascript:location='${evil.origin}/stolen'`,
      `data:text/html,<script>location='${evil.origin}/stolen'</script>`,
    ];
    await signIn(context, base, "lee@contoso.onmicrosoft.com");
    const page = await context.newPage();
    const emulatorOrigin = new URL(running.emulator.urls.http).origin;
    for (const vector of vectors) {
      // Entra's session makes each further sign-in silent: straight back through the callback.
      await page.goto(`${base}/auth/login?returnTo=${encodeURIComponent(vector)}`);
      await page.waitForURL(
        (url) => url.origin !== emulatorOrigin && !url.pathname.startsWith("/auth/"),
      );
      expect(new URL(page.url()).origin, vector).toBe(base);
    }
    // A path of the app's own still works, query and all.
    await page.goto(`${base}/auth/login?returnTo=${encodeURIComponent("/api/me?view=1")}`);
    await page.waitForURL(`${base}/api/me?view=1`);
    expect(evil.hits).toEqual([]);
  });

  it("sign-out ends on the app's own page: a post_logout_redirect_uri or returnTo added by a link is ignored", async () => {
    await signIn(context, base, "lee@contoso.onmicrosoft.com");
    const page = await context.newPage();
    const elsewhere = encodeURIComponent(`${evil.origin}/stolen`);
    await page.goto(
      `${base}/auth/logout?post_logout_redirect_uri=${elsewhere}&returnTo=${elsewhere}`,
    );
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/`);
    expect(await whoAmI(context, base)).toBe(401);
    expect(evil.hits).toEqual([]);
  });

  it("a sign-out form posted from another site, or from another origin of this site (which gets the cookies), is refused and the session stays", async () => {
    await signIn(context, base, "lee@contoso.onmicrosoft.com");
    const sibling = await startHostileSite("localhost");
    try {
      for (const site of [evil, sibling]) {
        const form = site.page(
          "/sign-out",
          `<!doctype html><form method="post" action="${base}/auth/logout"></form><script>document.forms[0].submit()</script>`,
        );
        const page = await context.newPage();
        const answer = page.waitForResponse(`${base}/auth/logout`);
        await page.goto(form);
        expect((await answer).status(), site.origin).toBe(403);
        expect(await whoAmI(context, base)).toBe(defaults.users.member);
      }
    } finally {
      await sibling.close();
    }
  });

  it("a session cookie with a flipped byte, cut short, lengthened, or replaced by its stored hash signs no one in (401, never 5xx)", async () => {
    await signIn(context, base, "lee@contoso.onmicrosoft.com");
    const real = (await sessionCookie(context, base)) ?? "";
    const [stored] = await running.store.sessions.listByUser(
      defaults.contoso,
      defaults.users.member,
    );
    const middle = Math.floor(real.length / 2);
    const flipped = real[middle] === "A" ? "B" : "A";
    // Named, so that a failure says which kind failed without printing a session id.
    const tampered = {
      flipped: `${real.slice(0, middle)}${flipped}${real.slice(middle + 1)}`,
      cutShort: real.slice(0, -1),
      lengthened: `${real}A`,
      storedHash: stored?.idHash ?? "no-hash",
      jwtShaped: `${real}.${real}`,
      quoted: `"${real}"`,
      percentNul: `${real}%00`,
      huge: "x".repeat(3000),
    };
    for (const [kind, value] of Object.entries(tampered)) {
      await context.addCookies([{ name: "entrance-session", value, url: base }]);
      expect(await whoAmI(context, base), kind).toBe(401);
      const page = await context.request.get(`${base}/profile`, { maxRedirects: 0 });
      expect(page.status()).toBe(302);
      expect(page.headers().location).toContain("/auth/login");
    }
    await context.addCookies([{ name: "entrance-session", value: real, url: base }]);
    expect(await whoAmI(context, base)).toBe(defaults.users.member);
  });

  it("a tampered or missing browser-binding cookie makes the callback refuse the sign-in and store nothing", async () => {
    for (const tamper of ["flip", "drop"] as const) {
      await context.clearCookies();
      const user = newContosoUser(running, `eve-binding-${tamper}`);
      const page = await context.newPage();
      await page.goto(`${base}/auth/login`);
      const binding = (await context.cookies(base)).find((c) => c.name === "entrance-binding");
      expect(binding?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await context.clearCookies({ name: "entrance-binding" });
      if (tamper === "flip") {
        const value = binding?.value ?? "";
        const changed = `${value[0] === "A" ? "B" : "A"}${value.slice(1)}`;
        await context.addCookies([{ name: "entrance-binding", value: changed, url: base }]);
      }
      const before = await rows(running.store);
      const answer = page.waitForResponse((r) => r.url().startsWith(`${base}/auth/callback`));
      await pickUser(page, user.upn);
      expect((await answer).status()).toBe(400);
      await page.waitForLoadState("load");
      expect(await sessionCookie(context, base)).toBeUndefined();
      expect(await running.store.users.get(defaults.contoso, user.id)).toBeNull();
      const after = await rows(running.store);
      expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
    }
  });
});
