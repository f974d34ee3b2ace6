import { join } from "node:path";
import type { EntranceStore } from "@entrance/core";
import { defaults } from "@entrance/emulator";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithChromium } from "../../../packages/emulator/test/support/browser.js";
import {
  type RunningReferenceApp,
  SCREENSHOTS,
  startReferenceApp,
} from "./support/reference-app.js";

const PHONE = { width: 375, height: 812 };
const SEEDED_TENANT = "0f1e2d3c-4b5a-4697-8877-665544332211";
const LEE = `/admin/users/${defaults.contoso}/${defaults.users.member}`;

/**
 * The admin panel of the reference app, driven in Chromium as staff would use it. The tests run in
 * order and share one app: what an earlier test did (sign-ins, actions) is what a later one sees.
 */
describeWithChromium("the admin panel in Chromium", () => {
  let browser: Browser;
  let base: string;
  let store: EntranceStore;
  let admin: BrowserContext;
  let running: RunningReferenceApp;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    running = await startReferenceApp();
    ({ browser, base, store } = running);
    await seed(store);
    admin = await fresh();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await running?.close();
  });

  async function fresh(options: Parameters<Browser["newContext"]>[0] = {}) {
    const context = await browser.newContext(options);
    // Well under the test's own timeout, so that a step that hangs says which one it was.
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context;
  }

  async function pickUser(page: Page, upn: string) {
    await page.getByRole("button", { name: new RegExp(upn.replace(/[.@]/g, "\\$&")) }).click();
  }

  async function signIn(context: BrowserContext, upn: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.locator("#sign-in-redirect").click();
    await pickUser(page, upn);
    await page.waitForURL(`${base}/`);
    return page;
  }

  async function shoot(page: Page, name: string) {
    await page.screenshot({ path: join(SCREENSHOTS, `admin-${name}.png`), fullPage: true });
  }

  /** The same admin, on a phone-sized screen. */
  async function onPhone(path: string, name: string) {
    const phone = await fresh({ viewport: PHONE, storageState: await admin.storageState() });
    const page = await phone.newPage();
    await page.goto(`${base}${path}`);
    await shoot(page, `${name}-phone`);
    // Nothing wider than the screen: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );
    await phone.close();
  }

  async function openLee(page: Page) {
    await page.goto(`${base}/admin/users?q=lee`);
    await page.getByRole("link", { name: "Lee Gu" }).click();
    await page.waitForURL(`${base}${LEE}`);
  }

  it("shows a signed-in user without the admin role the 403 page, naming the role", async () => {
    const lee = await fresh();
    const page = await lee.newPage();
    await page.goto(`${base}/admin`);
    await pickUser(page, "lee@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/admin`);
    await expect(page.locator("h1").textContent()).resolves.toBe(
      "You are not an administrator of this app",
    );
    await expect(page.locator("#missing-role").textContent()).resolves.toBe("Entrance.Admin");
    await expect(page.locator("#message").textContent()).resolves.toContain("Lee Gu");
    await shoot(page, "forbidden");
    await page.goto(`${base}/`);
    expect(await page.locator("#admin-link").count()).toBe(0);
    await lee.close();
  });

  it("lets an admin in from the app's header, and lists, searches and pages the users", async () => {
    const page = await signIn(admin, "megan@contoso.onmicrosoft.com");
    await page.locator("#admin-link").click();
    await page.waitForURL(`${base}/admin/users`);
    await expect(page.locator("caption").textContent()).resolves.toContain("32 in all");
    await expect(page.locator("#range").textContent()).resolves.toBe("Showing 1–25 of 32");
    await shoot(page, "users");
    // The first Tab reaches the skip link.
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(
      "Skip to content",
    );
    await page.getByRole("link", { name: "Next →" }).click();
    await page.waitForURL(`${base}/admin/users?page=2`);
    await expect(page.locator("#range").textContent()).resolves.toBe("Showing 26–32 of 32");
    await page.getByLabel("Search users").fill("megan");
    await page.getByRole("button", { name: "Search" }).click();
    // The form sends its account-kind filter too, empty for all kinds.
    await page.waitForURL(`${base}/admin/users?q=megan&kind=`);
    const rows = page.locator("#users tbody tr");
    expect(await rows.count()).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain("Megan Bowen");
    await onPhone("/admin/users", "users");
  });

  it("shows a user's sessions, token partition and groups, never a token", async () => {
    const lee = await fresh({ userAgent: "Mozilla/5.0 (Lee's laptop)" });
    await signIn(lee, "lee@contoso.onmicrosoft.com");
    const page = await admin.newPage();
    await openLee(page);
    await expect(page.locator("h1").textContent()).resolves.toContain("Lee Gu");
    const sessions = page.locator("#sessions tbody tr");
    // One from the 403 test's browser, one from the laptop.
    expect(await sessions.count()).toBe(2);
    await expect(page.locator("#sessions").textContent()).resolves.toContain("Lee's laptop");
    await expect(page.locator("#access-tokens").textContent()).resolves.toContain("User.Read");
    await expect(page.locator("#refresh-token").textContent()).resolves.toContain("held");
    await expect(page.locator("#groups").textContent()).resolves.toContain("2 groups");
    expect(await page.content()).not.toMatch(/eyJ[\w-]{10,}/);
    await shoot(page, "user");
    await onPhone(LEE, "user");
  });

  it("shows the 250-group user's groups once the app has resolved them through Graph", async () => {
    const adele = await fresh();
    const own = await signIn(adele, "adele@contoso.onmicrosoft.com");
    const page = await admin.newPage();
    const detail = `${base}/admin/users/${defaults.contoso}/${defaults.users.overage}`;
    await page.goto(detail);
    await expect(page.locator("#groups").textContent()).resolves.toContain("Not resolved yet");
    // Her profile page asks for her groups: Graph is read once and the result kept in the store.
    await own.goto(`${base}/profile`);
    await expect(own.locator("#user").textContent()).resolves.toContain("251 groups");
    await page.goto(detail);
    await expect(page.locator("#groups").textContent()).resolves.toContain(
      "Resolved through Microsoft Graph: 251 groups",
    );
    await shoot(page, "user-overage");
    await adele.close();
  });

  it("ends one session after confirmation: that browser is signed out at its next request", async () => {
    const laptop = await fresh({ userAgent: "Mozilla/5.0 (Lee's laptop)" });
    const phone = await fresh({ userAgent: "Mozilla/5.0 (Lee's phone)" });
    const laptopPage = await signIn(laptop, "lee@contoso.onmicrosoft.com");
    const phonePage = await signIn(phone, "lee@contoso.onmicrosoft.com");
    const page = await admin.newPage();
    await openLee(page);
    const row = page.locator("#sessions tbody tr", { hasText: "Lee's phone" });
    await row.getByRole("link", { name: /^End/ }).click();
    await expect(page.locator("h1").textContent()).resolves.toBe("End this session?");
    await shoot(page, "confirm");
    await page.getByRole("button", { name: "End session" }).click();
    await page.waitForURL(`${base}${LEE}?done=session-ended`);
    await expect(page.locator("#notice").textContent()).resolves.toContain(
      "signed out at its next request",
    );
    await shoot(page, "user-notice");

    await phonePage.goto(`${base}/`);
    await expect(phonePage.locator("#sign-in-redirect").isVisible()).resolves.toBe(true);
    await laptopPage.goto(`${base}/`);
    await expect(laptopPage.locator("#who").textContent()).resolves.toBe("Lee Gu");
  });

  it("ends all sessions and evicts the tokens of a user, each after confirmation", async () => {
    const laptop = await fresh();
    const laptopPage = await signIn(laptop, "lee@contoso.onmicrosoft.com");
    const page = await admin.newPage();
    await openLee(page);
    await page.locator("#end-sessions").click();
    await page.getByRole("button", { name: "End all sessions" }).click();
    await page.waitForURL(new RegExp(`${LEE}\\?done=sessions-ended&n=\\d+$`));
    expect(await page.locator("#sessions tbody tr").count()).toBe(0);
    await laptopPage.goto(`${base}/`);
    await expect(laptopPage.locator("#sign-in-redirect").isVisible()).resolves.toBe(true);

    await page.locator("#evict-tokens").click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Evict the tokens of Lee Gu?");
    // Cancel first: nothing happens.
    await page.locator("#cancel").click();
    await page.waitForURL(`${base}${LEE}`);
    expect(await store.tokens.get(`${defaults.users.member}.${defaults.contoso}`)).not.toBeNull();
    await page.locator("#evict-tokens").click();
    await page.getByRole("button", { name: "Evict tokens" }).click();
    await page.waitForURL(`${base}${LEE}?done=tokens-evicted`);
    await expect(page.locator("#no-tokens").isVisible()).resolves.toBe(true);
    expect(await store.tokens.get(`${defaults.users.member}.${defaults.contoso}`)).toBeNull();
  });

  it("refuses a form posted from another site", async () => {
    const page = await admin.newPage();
    await page.route("https://evil.example/**", (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<form method="post" action="${base}${LEE}/disable"><input name="csrf" value="forged"><button id="go">Win a prize</button></form>`,
      }),
    );
    await page.goto("https://evil.example/prize");
    await page.locator("#go").click();
    await page.waitForLoadState();
    expect(page.url()).not.toContain(`${LEE}?done`);
    expect((await store.users.get(defaults.contoso, defaults.users.member))?.disabled).toBe(false);
  });

  it("disables a user: signed out, and their next sign-in is refused with a clear page; enabling lets them back", async () => {
    const lee = await fresh();
    const leePage = await signIn(lee, "lee@contoso.onmicrosoft.com");
    const page = await admin.newPage();
    await openLee(page);
    await page.locator("#disable").click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Disable Lee Gu?");
    await shoot(page, "confirm-disable");
    await page.getByRole("button", { name: "Disable user" }).click();
    await page.waitForURL(`${base}${LEE}?done=user-disabled`);
    await expect(page.locator("#disabled-note").isVisible()).resolves.toBe(true);
    await shoot(page, "user-disabled");

    await leePage.goto(`${base}/`);
    await leePage.locator("#sign-in-redirect").click();
    // Entra (the emulator) still has Lee signed in: it answers at once, and the app refuses.
    await leePage.waitForURL(/\/auth\/callback/);
    await expect(leePage.locator("h1").textContent()).resolves.toBe(
      "Your account is disabled in this app",
    );
    await expect(leePage.locator("#message").textContent()).resolves.toContain(
      "An administrator has disabled your account",
    );
    await shoot(leePage, "refused-sign-in");

    await page.locator("#enable").click();
    await page.getByRole("button", { name: "Enable user" }).click();
    await page.waitForURL(`${base}${LEE}?done=user-enabled`);
    await leePage.goto(`${base}/`);
    await leePage.locator("#sign-in-redirect").click();
    await leePage.waitForURL(`${base}/`);
    await expect(leePage.locator("#who").textContent()).resolves.toBe("Lee Gu");
    expect((await store.users.get(defaults.contoso, defaults.users.member))?.disabled).toBe(false);
  });

  it("keeps an audit log of sign-ins, failures and admin actions, filterable and paged", async () => {
    const page = await admin.newPage();
    await page.goto(`${base}/admin/users`);
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL(`${base}/admin/audit`);
    const log = page.locator("#audit");
    await expect(log.textContent()).resolves.toContain("Megan Bowen enabled Lee Gu");
    await expect(page.locator("#range").textContent()).resolves.toMatch(/^Showing 1–25 of \d+$/);
    await shoot(page, "audit");
    await page.getByRole("link", { name: "Next →" }).click();
    await page.waitForURL(`${base}/admin/audit?page=2`);

    await page.getByLabel("Event").selectOption("user_disabled");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("type") === "user_disabled");
    const disabled = page.locator("#audit tbody tr");
    expect(await disabled.count()).toBe(1);
    await expect(disabled.first().textContent()).resolves.toContain("Megan Bowen disabled Lee Gu");
    await expect(disabled.first().textContent()).resolves.toContain("Megan Bowen");

    await page.getByLabel("Event").selectOption("sign_in_failed");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("type") === "sign_in_failed");
    await expect(page.locator("#audit").textContent()).resolves.toContain("AADSTS50105");
    await expect(page.locator("#audit").textContent()).resolves.toContain("user_disabled");

    await page.goto(`${base}/admin/audit`);
    await page.getByLabel("Text in the detail").fill("evicted");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("q") === "evicted");
    expect(await page.locator("#audit tbody tr").count()).toBe(1);

    await page.goto(`${base}${LEE}`);
    await page.locator("#user-audit").click();
    await expect(page.locator("#audit").textContent()).resolves.toContain("Session ended");
    await onPhone("/admin/audit", "audit");
  });
});

/** Thirty people who signed in earlier, and their sign-ins: enough for a second page of each. */
async function seed(store: EntranceStore): Promise<void> {
  const people = [
    "Aisha Khan",
    "Bruno Costa",
    "Chen Wei",
    "Dagny Olsen",
    "Emeka Obi",
    "Fatima Zahra",
    "Gustav Berg",
    "Hana Sato",
    "Iker Etxeberria",
    "Jana Novák",
  ];
  for (let i = 0; i < 30; i++) {
    const name = `${people[i % people.length]}${i >= people.length ? ` ${Math.floor(i / people.length) + 1}` : ""}`;
    const at = new Date(Date.now() - (i + 1) * 3_600_000);
    const objectId = `7e0a${String(i).padStart(4, "0")}-1111-4222-8333-444455556666`;
    const username = `${name.toLowerCase().replace(/[^a-z0-9]+/g, ".")}@northwind.example`;
    await store.users.upsert({
      tenantId: SEEDED_TENANT,
      objectId,
      displayName: name,
      username,
      mail: username,
      roles: i % 7 === 0 ? ["Orders.Approve"] : [],
      groups: [],
      groupsOverage: i % 9 === 4,
      firstSignInAt: new Date(at.getTime() - 30 * 86_400_000),
      lastSignInAt: at,
      disabled: false,
      resolvedGroups: null,
    });
    await store.audit.append({
      at,
      type: "sign_in",
      tenantId: SEEDED_TENANT,
      objectId,
      actor: null,
      detail: `signed in as ${username}`,
      aadsts: null,
      ip: "198.51.100.20",
    });
  }
  await store.audit.append({
    at: new Date(Date.now() - 90 * 60_000),
    type: "sign_in_failed",
    tenantId: null,
    objectId: null,
    actor: null,
    detail:
      'identity_provider_error: Microsoft Entra ID returned "access_denied": AADSTS50105: the signed-in user is not assigned to a role for the application.',
    aadsts: 50105,
    ip: "198.51.100.21",
  });
}
