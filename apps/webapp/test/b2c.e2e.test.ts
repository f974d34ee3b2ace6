/**
 * The reference app against the emulator's Azure AD B2C tenant in Chromium, configured by the
 * environment only (the AZURE_B2C_* policies): sign-up, sign-out, sign-in, "Forgot your
 * password?" through the reset policy and back signed in on the page the sign-in started from,
 * then the profile-edit link changing the name the app shows.
 */
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
});
