import { join } from "node:path";
import type { EntranceStore } from "@entrance/core";
import { defaults, type RunningEmulator } from "@entrance/emulator";
import { claimsChallenge } from "@entrance/emulator/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { describeWithChromium } from "../../../packages/emulator/test/support/browser.js";
import {
  type RunningReferenceApp,
  SCREENSHOTS,
  startReferenceApp,
} from "./support/reference-app.js";

describeWithChromium("the reference app in Chromium", () => {
  let emulator: RunningEmulator;
  let browser: Browser;
  let base: string;
  let store: EntranceStore;
  let context: BrowserContext;
  let running: RunningReferenceApp;

  beforeAll(async () => {
    running = await startReferenceApp();
    ({ emulator, browser, base, store } = running);
  });

  beforeEach(async () => {
    emulator.control.setLifetimes({ accessToken: 3600 });
    emulator.control.clearFaults();
    await context?.close();
    context = await browser.newContext();
  });

  afterAll(async () => {
    await context?.close();
    await running?.close();
  });

  async function pickUser(page: Page, upn: string) {
    await page.getByRole("button", { name: new RegExp(upn.replace(/[.@]/g, "\\$&")) }).click();
  }

  it("signs in with a redirect, with safe cookie flags", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.screenshot({ path: join(SCREENSHOTS, "webapp-home.png"), fullPage: true });
    await page.locator("#sign-in-redirect").click();
    await pickUser(page, "megan@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, Megan Bowen");
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === "entrance-session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
    expect(session?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session?.expires).toBe(-1);
    const me = await page.request.get(`${base}/api/me`);
    expect(await me.json()).toMatchObject({
      objectId: defaults.users.admin,
      roles: ["Entrance.Admin"],
    });
    expect(await me.text()).not.toContain("eyJ");
  });

  it("signs in through a popup and reloads the page when it completes", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const [popup] = await Promise.all([
      page.waitForEvent("popup"),
      page.locator("#sign-in-popup").click(),
    ]);
    await pickUser(popup, "alex@contoso.onmicrosoft.com");
    await popup.waitForEvent("close");
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, Alex Wilber");
    expect(page.url()).toBe(`${base}/`);
  });

  it("honours returnTo and shows the profile with the ID token's claims", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/profile`);
    await pickUser(page, "adele@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/profile`);
    await expect(page.locator("#user").textContent()).resolves.toContain(
      "251 groups, resolved through Microsoft Graph",
    );
    await expect(page.locator("#claims").textContent()).resolves.toContain(defaults.users.overage);
    await page.screenshot({ path: join(SCREENSHOTS, "webapp-profile.png"), fullPage: true });
  });

  it("refuses an off-site returnTo", async () => {
    const page = await context.newPage();
    await page.goto(
      `${base}/auth/login?returnTo=${encodeURIComponent("https://evil.example/steal")}`,
    );
    await pickUser(page, "lee@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/auth/login?returnTo=${encodeURIComponent("//evil.example/steal")}`);
    await page.waitForURL(`${base}/`);
  });

  it("signs out: session gone, tokens evicted, back on the app after the end-session page", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.locator("#sign-in-redirect").click();
    // A user signed in nowhere else: tokens go with the last session.
    await pickUser(page, "pradeep_fabrikam.com#EXT#@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/`);
    expect(await store.tokens.get(`${defaults.users.guest}.${defaults.contoso}`)).not.toBeNull();

    await page.locator("#sign-out").click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator("#sign-in-redirect").isVisible()).resolves.toBe(true);
    expect(
      (
        await page.request.get(`${base}/api/me`, { headers: { accept: "application/json" } })
      ).status(),
    ).toBe(401);
    expect(await store.tokens.get(`${defaults.users.guest}.${defaults.contoso}`)).toBeNull();
    expect(
      (await context.cookies(base)).find((c) => c.name === "entrance-session"),
    ).toBeUndefined();
  });

  it("signs out from the confirmation page (the admin panel's link): Entra's logout is reached, the next sign-in asks for an account", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.locator("#sign-in-redirect").click();
    await pickUser(page, "alex@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/`);
    emulator.control.resetCounts();

    await page.goto(`${base}/auth/logout`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/`);
    expect(emulator.control.counts().logout).toBe(1);
    await expect(page.locator("#sign-in-redirect").isVisible()).resolves.toBe(true);

    // Entra's session ended too: signing in again shows the account list, not Alex at once.
    await page.locator("#sign-in-redirect").click();
    await page.waitForURL((url) => url.origin === new URL(emulator.urls.http).origin);
    await expect(
      page.getByRole("button", { name: /alex@contoso\.onmicrosoft\.com/ }).isVisible(),
    ).resolves.toBe(true);
  });

  it("shows nothing personal on Back after sign-out, and sends security headers", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/profile`);
    await pickUser(page, "megan@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/profile`);
    const profile = await page.request.get(`${base}/profile`);
    expect(profile.headers()["cache-control"]).toBe("no-store");
    expect(profile.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(profile.headers()["x-content-type-options"]).toBe("nosniff");
    await expect(page.locator("body").textContent()).resolves.toContain("Megan Bowen");
    // The ID token's claims are shown, but not `sid`, which front-channel logout is keyed on.
    const sid = (await store.sessions.listByUser(defaults.contoso, defaults.users.admin))[0]?.sid;
    expect(sid).toBeTruthy();
    await expect(page.content()).resolves.not.toContain(sid ?? "no sid");

    await page.locator("#sign-out").click();
    await page.waitForURL(`${base}/`);
    // Back through Entra's sign-out pages to the profile's entry in the history.
    for (let step = 0; step < 5 && !page.url().startsWith(`${base}/profile`); step++) {
      const before = page.url();
      await page.goBack();
      await page.waitForLoadState("load");
      if (page.url() === before) break;
    }
    // Not kept by the browser: asked again, the app sends a signed-out visitor to sign in.
    await expect(page.locator("#claims").count()).resolves.toBe(0);
    expect(page.url()).not.toBe(`${base}/profile`);
  });

  it("lets two tabs sign in at once", async () => {
    const first = await context.newPage();
    const second = await context.newPage();
    await first.goto(`${base}/profile`);
    await second.goto(`${base}/api/me`);
    await pickUser(second, "lee@contoso.onmicrosoft.com");
    await second.waitForURL(`${base}/api/me`);
    await pickUser(first, "lee@contoso.onmicrosoft.com");
    await first.waitForURL(`${base}/profile`);
    await expect(first.locator("h1").textContent()).resolves.toBe("Your profile");
    expect(await second.textContent("body")).toContain(defaults.users.member);
  });

  async function signInAs(page: Page, upn: string) {
    await page.goto(`${base}/`);
    await page.locator("#sign-in-redirect").click();
    await pickUser(page, upn);
    await page.waitForURL(`${base}/`);
  }

  it("shows Graph /me and the photo on the profile, or says there is no photo", async () => {
    const page = await context.newPage();
    await signInAs(page, "megan@contoso.onmicrosoft.com");
    await page.goto(`${base}/profile`);
    await expect(page.locator("#graph-me").textContent()).resolves.toContain("IT Administrator");
    const width = await page
      .locator("#photo")
      .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth);
    expect(width).toBe(240);
    const other = await browser.newContext();
    const alex = await other.newPage();
    await signInAs(alex, "alex@contoso.onmicrosoft.com");
    await alex.goto(`${base}/profile`);
    await expect(alex.locator("#no-photo").isVisible()).resolves.toBe(true);
    await other.close();
  });

  it("asks for Mail.Read the first time /mail is opened (incremental consent), then shows the mail", async () => {
    const page = await context.newPage();
    await signInAs(page, "lee@contoso.onmicrosoft.com");
    await page.goto(`${base}/mail`);
    await expect(
      page.getByRole("heading", { name: "Permissions requested" }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.locator("body").textContent()).resolves.toContain("Mail.Read");
    await page.screenshot({ path: join(SCREENSHOTS, "webapp-consent.png"), fullPage: true });
    await page.getByRole("button", { name: "Accept" }).click();
    await page.waitForURL(`${base}/mail`);
    expect(await page.locator("#messages tr").count()).toBeGreaterThan(1);
    // Granted once: the next visit goes straight to the mail.
    await page.goto(`${base}/mail`);
    expect(page.url()).toBe(`${base}/mail`);
    await page.goto(`${base}/tokens`);
    const tokens = (await page.locator("main").textContent()) ?? "";
    expect(tokens).toContain("Mail.Read");
    expect(tokens).toContain("held (encrypted, server-side)");
    expect(await page.content()).not.toContain("eyJ");
  });

  it("answers a continuous access evaluation challenge from Graph without bothering the user", async () => {
    const page = await context.newPage();
    await signInAs(page, "megan@contoso.onmicrosoft.com");
    emulator.control.queueFault("graph", claimsChallenge(emulator.urls.http));
    emulator.control.resetCounts();
    await page.goto(`${base}/profile`);
    await expect(page.locator("#graph-me").textContent()).resolves.toContain("Megan Bowen");
    expect(emulator.control.counts()["token:refresh_token"]).toBe(1);
  });

  it("says to sign in again when the refresh token was revoked, and evicts the tokens", async () => {
    emulator.control.setLifetimes({ accessToken: 60 });
    const page = await context.newPage();
    await signInAs(page, "adele@contoso.onmicrosoft.com");
    emulator.control.revokeRefreshTokens("adele@contoso.onmicrosoft.com");
    await page.goto(`${base}/profile`);
    await expect(page.locator("#message").textContent()).resolves.toContain(
      "expired or was revoked",
    );
    expect(await store.tokens.get(`${defaults.users.overage}.${defaults.contoso}`)).toBeNull();
    await page.locator("#sign-in-again").click();
    await pickUser(page, "adele@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/profile`);
    await expect(page.locator("#graph-me").textContent()).resolves.toContain("Adele Vance");
  });
});
