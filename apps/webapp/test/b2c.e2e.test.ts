/**
 * The reference app against the emulator's Azure AD B2C tenant in Chromium, configured by the
 * environment only (the AZURE_B2C_* policies): sign-up, sign-out, sign-in, "Forgot your
 * password?" through the reset policy and back signed in on the page the sign-in started from,
 * then the profile-edit link changing the name the app shows.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createMemoryStore } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { trustCertificateAuthority } from "@entrance/express";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeWithChromium,
  launchChromium,
} from "../../../packages/emulator/test/support/browser.js";
import { createApp } from "../src/app.js";
import { SCREENSHOTS } from "./support/reference-app.js";

const B2C = defaults.b2c;

describeWithChromium("the reference app against Azure AD B2C in Chromium", () => {
  let emulator: RunningEmulator;
  let browser: Browser;
  let base: string;
  const server = createServer();

  beforeAll(async () => {
    emulator = await startEmulator();
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
    const registered = emulator.directory.app(B2C.webApp)?.value;
    emulator.control.putApp(B2C.tenant, {
      ...registered,
      clientId: B2C.webApp,
      displayName: "Entrance reference app (B2C)",
      redirectUris: [`${base}/auth/callback`, `${base}/`],
    });
    const { app } = createApp({
      baseUrl: base,
      trust: trustCertificateAuthority(emulator.caCertPem),
      // A memory store: @entrance/store-sql does not read the `customer` account kind yet.
      store: createMemoryStore(),
      // What an operator sets: the tenant, the app, the emulator's host, and the three policies.
      env: {
        AZURE_TENANT_ID: B2C.domain,
        AZURE_CLIENT_ID: B2C.webApp,
        AZURE_CLIENT_SECRET: B2C.webAppSecret,
        AZURE_AUTHORITY_HOST: emulator.urls.https,
        ENTRANCE_SECRET: "reference-app-b2c-test-secret-0123456789",
        AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: B2C.signUpSignIn,
        AZURE_B2C_RESET_PASSWORD_POLICY: B2C.passwordReset,
        AZURE_B2C_EDIT_PROFILE_POLICY: B2C.profileEdit,
      },
    });
    server.on("request", app);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await emulator?.stop();
  });

  async function fill(page: Page, fields: Record<string, string>) {
    for (const [name, value] of Object.entries(fields)) {
      await page.locator(`input[name="${name}"]`).fill(value);
    }
  }

  it("signs up, signs out, signs in, resets a forgotten password back to the page, and edits the profile", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `chromium-${Date.now()}@customers.example`;

    // Sign up through the sign-up/sign-in policy's "Sign up now".
    await page.goto(`${base}/`);
    await page.locator("#sign-in-redirect").click();
    await page.locator("#createAccount").click();
    await fill(page, { email, displayName: "Chromium Customer", password: "first-passw0rd" });
    await page.locator("#continue").click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, Chromium Customer");

    // Sign out through the policy's end-session endpoint, back on the app.
    await page.locator("#sign-out").click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator("#sign-in-redirect").isVisible()).resolves.toBe(true);

    // Sign in with the password.
    await page.locator("#sign-in-redirect").click();
    await fill(page, { email, password: "first-passw0rd" });
    await page.locator("#next").click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator("#who").textContent()).resolves.toBe("Chromium Customer");
    await page.locator("#sign-out").click();
    await page.waitForURL(`${base}/`);

    // Forgot the password, from a page that needs sign-in: AADB2C90118, the reset policy, back there.
    await page.goto(`${base}/profile`);
    await page.locator("#forgotPassword").click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Reset your password");
    await fill(page, { email, password: "second-passw0rd" });
    await page.screenshot({ path: join(SCREENSHOTS, "webapp-b2c-reset.png"), fullPage: true });
    await page.locator("#continue").click();
    await page.waitForURL(`${base}/profile`);
    await expect(page.locator("#who").textContent()).resolves.toBe("Chromium Customer");
    await expect(page.locator("#no-graph").isVisible()).resolves.toBe(true);
    await expect(page.locator("#claims").textContent()).resolves.toContain(B2C.passwordReset);

    // Edit the profile from the header's link; the app shows the new name.
    await page.locator("#edit-profile").click();
    await expect(page.locator('input[name="displayName"]').inputValue()).resolves.toBe(
      "Chromium Customer",
    );
    await fill(page, { displayName: "Renamed Customer" });
    await page.locator("#continue").click();
    await page.waitForURL(`${base}/profile`);
    await expect(page.locator("#who").textContent()).resolves.toBe("Renamed Customer");
    await expect(page.locator("#claims").textContent()).resolves.toContain(B2C.profileEdit);
    await page.screenshot({ path: join(SCREENSHOTS, "webapp-b2c-profile.png"), fullPage: true });
    await context.close();
  });

  /** A customer of the B2C tenant of this test's own, with a password. */
  function customer(name: string): { email: string; name: string } {
    const id = randomUUID();
    const email = `${name.toLowerCase().replace(/\W+/g, "-")}-${id.slice(0, 8)}@customers.example`;
    emulator.directory.putUser(B2C.tenant, {
      id,
      userPrincipalName: `${id}@${B2C.domain}`,
      displayName: name,
      mail: email,
      password: "first-passw0rd",
      photo: false,
    });
    return { email, name };
  }

  /** Opens the popup sign-in from the home page and picks "Forgot your password?" in it. */
  async function forgotInPopup(page: Page): Promise<Page> {
    await page.goto(`${base}/`);
    const [popup] = await Promise.all([
      page.waitForEvent("popup"),
      page.locator("#sign-in-popup").click(),
    ]);
    await popup.locator("#forgotPassword").click();
    await expect(popup.locator("h1").textContent()).resolves.toBe("Reset your password");
    return popup;
  }

  it("resets a forgotten password inside a popup sign-in: the popup closes, the opener is signed in", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { email, name } = customer("Popup Reset");
    const popup = await forgotInPopup(page);
    await fill(popup, { email, password: "second-passw0rd" });
    const reloaded = page.waitForEvent("load");
    await Promise.all([popup.waitForEvent("close"), popup.locator("#continue").click()]);
    await reloaded;
    // The same outcome as a popup sign-in: the opener, where it was, now signed in.
    expect(page.url()).toBe(`${base}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe(`Welcome, ${name}`);
    expect(context.pages()).toEqual([page]);
    await page.goto(`${base}/profile`);
    await expect(page.locator("#claims").textContent()).resolves.toContain(B2C.passwordReset);
    await context.close();
  });

  it("cancels the password reset inside a popup sign-in: the popup closes, the opener stays signed out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const popup = await forgotInPopup(page);
    // What the opener hears from the popup, and a mark that a reload of the opener would wipe.
    const heard = page.evaluate(() => {
      (window as { stayed?: boolean }).stayed = true;
      return new Promise<unknown>((resolve) =>
        window.addEventListener("message", (event) => resolve(event.data?.type), { once: true }),
      );
    });
    await Promise.all([popup.waitForEvent("close"), popup.locator("#cancel").click()]);
    await expect(heard).resolves.toBe("entrance:cancelled");
    // Nothing changed: no error page left open, the opener where it was, not reloaded, signed out.
    expect(context.pages()).toEqual([page]);
    await expect(page.evaluate(() => (window as { stayed?: boolean }).stayed)).resolves.toBe(true);
    expect(page.url()).toBe(`${base}/`);
    await expect(page.locator("#sign-in-redirect").isVisible()).resolves.toBe(true);
    expect(
      (await context.cookies(base)).find((c) => c.name === "entrance-session"),
    ).toBeUndefined();
    await context.close();
  });
});
