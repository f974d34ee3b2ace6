/**
 * Browser attacks on the reference app's pages, in Chromium: front-channel logout for someone
 * else's sid, two tenants' users sharing an e-mail address (nOAuth), framing of the sign-out and
 * admin pages by another origin (clickjacking), and tokens in anything the browser sees or the
 * process logs.
 */

import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium } from "../../packages/emulator/test/support/browser.js";
import { findTokens } from "../../scripts/token-scan.mjs";
import { type HostileSite, startHostileSite } from "./support/hostile-site.js";
import { type CapturedLogs, captureLogs } from "./support/logs.js";
import {
  defaults,
  type RunningReferenceApp,
  signIn,
  startReferenceApp,
  whoAmI,
} from "./support/reference-browser.js";

describeWithChromium("Browser attacks", () => {
  let running: RunningReferenceApp;
  let base: string;
  /** Another origin of the app's site: the browser sends the app's SameSite=Lax cookies along. */
  let sameSite: HostileSite;
  let logs: CapturedLogs;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    logs = captureLogs();
    running = await startReferenceApp();
    base = running.base;
    sameSite = await startHostileSite("localhost");
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await sameSite?.close();
    await running?.close();
    logs?.stop();
  });

  async function fresh() {
    const context = await running.browser.newContext();
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    return context;
  }

  /** The Entra `sid` of a user's only session, as the store keeps it. */
  async function sidOf(tenantId: string, objectId: string) {
    const [session, ...more] = await running.store.sessions.listByUser(tenantId, objectId);
    expect(more).toEqual([]);
    return session?.sid ?? "";
  }

  it("a front-channel logout for another sid, framed by another origin that gets this browser's cookies, leaves this session alone", async () => {
    const lee = await fresh();
    const alex = await fresh();
    await signIn(lee, base, "lee@contoso.onmicrosoft.com");
    await signIn(alex, base, "alex@contoso.onmicrosoft.com");
    const alexSid = await sidOf(defaults.contoso, defaults.users.noPhoto);
    expect(await sidOf(defaults.contoso, defaults.users.member)).not.toBe(alexSid);
    const logout = `${base}/auth/frontchannel-logout`;
    const frames = (...urls: string[]) =>
      `<!doctype html>${urls.map((url) => `<iframe src="${url}"></iframe>`).join("")}`;
    const page = await lee.newPage();
    // Someone else's (unknown) sid, and Alex's sid with an issuer that is not the app's.
    await page.goto(
      sameSite.page(
        "/frames",
        frames(
          `${logout}?sid=${crypto.randomUUID()}`,
          `${logout}?sid=${alexSid}&iss=${encodeURIComponent(`${sameSite.origin}/v2.0`)}`,
        ),
      ),
    );
    expect(await whoAmI(lee, base)).toBe(defaults.users.member);
    expect(await whoAmI(alex, base)).toBe(defaults.users.noPhoto);
    // Alex's own sid ends Alex's session only.
    await page.goto(sameSite.page("/alex", frames(`${logout}?sid=${alexSid}`)));
    expect(await whoAmI(alex, base)).toBe(401);
    expect(await whoAmI(lee, base)).toBe(defaults.users.member);
  });

  it("two tenants' users with the same e-mail address stay two accounts; the other tenant's gets no admin role", async () => {
    const megan = await fresh();
    const mallory = await fresh();
    // Mallory of Fabrikam claims Megan's address; she signs in first.
    await signIn(mallory, base, "mallory@fabrikam.onmicrosoft.com");
    await signIn(megan, base, "megan@contoso.onmicrosoft.com");
    const meJson = async (context: BrowserContext) =>
      (await (await context.request.get(`${base}/api/me`)).json()) as Record<string, unknown>;
    expect(await meJson(mallory)).toMatchObject({
      tenantId: defaults.fabrikam,
      objectId: defaults.users.sameMail,
      mail: "megan.bowen@contoso.com",
      roles: [],
    });
    expect(await meJson(megan)).toMatchObject({
      tenantId: defaults.contoso,
      objectId: defaults.users.admin,
      mail: "megan.bowen@contoso.com",
      roles: [defaults.adminRole],
    });
    const stored = await running.store.users.list({ query: "megan.bowen", limit: 10, offset: 0 });
    expect(stored.users.map((u) => `${u.tenantId}/${u.objectId}`).sort()).toEqual(
      [
        `${defaults.contoso}/${defaults.users.admin}`,
        `${defaults.fabrikam}/${defaults.users.sameMail}`,
      ].sort(),
    );
    expect((await mallory.request.get(`${base}/admin/users`)).status()).toBe(403);
    expect((await megan.request.get(`${base}/admin/users`)).status()).toBe(200);
  });

  it("a display name holding HTML, chosen by another tenant's user, shows as text on the app's pages and in the admin panel", async () => {
    const payload = `<img src="${sameSite.origin}/xss" id="injected"><script id="injected-script">window.injected=1</script>`;
    const id = crypto.randomUUID();
    running.emulator.control.putUser(defaults.fabrikam, {
      id,
      userPrincipalName: "markup@fabrikam.onmicrosoft.com",
      displayName: payload,
    });
    const visitor = await fresh();
    const home = await signIn(visitor, base, "markup@fabrikam.onmicrosoft.com");
    const megan = await fresh();
    const admin = await signIn(megan, base, "megan@contoso.onmicrosoft.com");
    const seen = [
      [home, `${base}/`],
      [home, `${base}/profile`],
      [admin, `${base}/admin/users?q=markup`],
      [admin, `${base}/admin/users/${defaults.fabrikam}/${id}`],
      [admin, `${base}/admin/audit`],
    ] as const;
    for (const [page, url] of seen) {
      await page.goto(url);
      await expect(page.locator("#injected, #injected-script").count(), url).resolves.toBe(0);
      await expect(
        page.evaluate(() => "injected" in window),
        url,
      ).resolves.toBe(false);
    }
    await home.goto(`${base}/`);
    await expect(home.locator("h1").textContent()).resolves.toBe(`Welcome, ${payload}`);
    expect(sameSite.hits.filter((path) => path.startsWith("/xss"))).toEqual([]);
  });

  it("the sign-out and admin pages refuse to be framed by another origin of the same site; a framable page shows it is the refusal", async () => {
    const megan = await fresh();
    await signIn(megan, base, "megan@contoso.onmicrosoft.com");
    const framed = {
      signOut: `${base}/auth/logout`,
      users: `${base}/admin/users`,
      disable: `${base}/admin/users/${defaults.contoso}/${defaults.users.member}/disable`,
      profile: `${base}/profile`,
      control: `${base}/auth/frontchannel-logout?sid=none`,
    };
    const page = await megan.newPage();
    await page.goto(
      sameSite.page(
        "/clickjack",
        `<!doctype html>${Object.entries(framed)
          .map(
            ([name, url]) =>
              `<iframe name="${name}" src="${url}" width="800" height="400"></iframe>`,
          )
          .join("")}`,
      ),
    );
    // The control loads inside the frame: framing itself works, cookies and all.
    await expect(page.frame({ name: "control" })?.title()).resolves.toBe("Signed out");
    for (const name of ["signOut", "users", "disable", "profile"]) {
      const frame = page.frame({ name });
      expect(frame, name).toBeTruthy();
      expect(frame?.url(), name).not.toBe(framed[name as keyof typeof framed]);
      await expect(frame?.locator("button, a, input").count(), name).resolves.toBe(0);
    }
    // Opened as a page of its own, the same URL has the button the frame would have exposed.
    const top = await megan.newPage();
    await top.goto(framed.disable);
    await expect(top.getByRole("button", { name: /disable/i }).count()).resolves.toBe(1);
    expect(await whoAmI(megan, base)).toBe(defaults.users.admin);
  });

  it("no token is in any URL, page, error page, referrer or log of a whole visit (sign-in, consent, profile, admin, errors, sign-out)", async () => {
    const context = await fresh();
    const urls: string[] = [];
    const bodies: Promise<string>[] = [];
    context.on("request", (request) => {
      urls.push(request.url());
      const referer = request.headers().referer;
      if (referer) urls.push(`referer ${referer}`);
    });
    context.on("response", (response) => {
      if (!response.url().startsWith(base)) return;
      if (response.status() >= 300 && response.status() < 400) return;
      bodies.push(response.text().catch(() => ""));
    });
    const page = await signIn(context, base, "megan@contoso.onmicrosoft.com");
    for (const path of [
      "/profile",
      "/tokens",
      "/api/me",
      `/admin/users/${defaults.contoso}/${defaults.users.admin}`,
    ]) {
      await page.goto(`${base}${path}`);
    }
    await page.goto(`${base}/mail`);
    await page.getByRole("button", { name: "Accept" }).click();
    await page.waitForURL(`${base}/mail`);
    // An error Entra sends back (consent declined), and a replayed callback.
    await page.goto(`${base}/auth/login?scopes=${encodeURIComponent("Calendars.Read")}`);
    const declined = page.waitForResponse((r) => r.url().startsWith(`${base}/auth/callback`));
    await page.getByRole("button", { name: "Cancel" }).click();
    expect((await declined).status()).toBeGreaterThanOrEqual(400);
    await expect(page.locator("#message").textContent()).resolves.toContain("access_denied");
    const callback = urls.find((url) => url.startsWith(`${base}/auth/callback?code=`)) ?? "";
    expect(callback).not.toBe("");
    expect((await page.goto(callback))?.status()).toBe(400);
    await expect(page.content()).resolves.not.toContain(new URL(callback).searchParams.get("code"));
    await page.goto(`${base}/auth/logout`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/`);

    // Codes travel in one place only, the callback's own URL; tokens in none.
    const onCallback = (url: string) => url.startsWith(`${base}/auth/callback?`);
    const inUrls = urls.flatMap((url) =>
      findTokens(url).filter((found) => found.kind === "JWT" || !onCallback(url)),
    );
    expect(inUrls).toEqual([]);
    const pages = (await Promise.all(bodies)).join("\n");
    // What was read is what a person saw: the profile, the admin panel, the error pages.
    for (const seen of ["Your profile", "access_denied", "sign-in link has expired"])
      expect(pages).toContain(seen);
    expect(findTokens(pages)).toEqual([]);
    const audit = await running.store.audit.list({ limit: 500, offset: 0 });
    expect(findTokens(audit.events.map((event) => event.detail).join("\n"))).toEqual([]);
    expect(findTokens(logs.lines.join("\n"))).toEqual([]);
  });
});
