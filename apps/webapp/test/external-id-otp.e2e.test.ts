/**
 * The reference app as a customer app on Entra External ID whose user flow signs customers in
 * with an e-mail one-time passcode (the emulator's tenant set to `signInMethod: "emailOtp"`),
 * configured through its environment only (a real `node dist/start.js`, the same environment as
 * for "Email with password"), in Chromium: a new customer signs up with no password and the
 * e-mailed code, signs out, and as a returning customer signs in with their address and a code.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  defaultDirectory,
  externalDefaults,
  type RunningEmulator,
  startEmulator,
} from "@entrance/emulator";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeWithChromium,
  launchChromium,
} from "../../../packages/emulator/test/support/browser.js";
import { type AppProcess, appProcess, freePort, storeOpened } from "./support/instances.js";
import { SCREENSHOTS } from "./support/reference-app.js";

describeWithChromium("the reference app for customers with e-mail one-time passcodes", () => {
  let emulator: RunningEmulator;
  let app: AppProcess;
  let folder: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    emulator = await startEmulator({
      directory: {
        ...defaultDirectory,
        tenants: defaultDirectory.tenants.map((tenant) =>
          tenant.id === externalDefaults.tenant
            ? { ...tenant, signInMethod: "emailOtp" as const }
            : tenant,
        ),
      },
    });
    const port = await freePort();
    const base = `http://localhost:${port}`;
    const registered = emulator.directory.app(externalDefaults.app)?.value;
    emulator.control.putApp(externalDefaults.tenant, {
      ...registered,
      clientId: externalDefaults.app,
      displayName: "Entrance reference app (customers)",
      redirectUris: [`${base}/auth/callback`, `${base}/`],
      frontchannelLogoutUrl: `${base}/auth/frontchannel-logout`,
    });
    folder = await mkdtemp(join(tmpdir(), "entrance-customers-otp-"));
    // What apps/webapp/README.md tells a person to set for External ID: the sign-in method is
    // the tenant's user flow, not the app's.
    app = appProcess(
      port,
      {
        AZURE_TENANT_ID: `${externalDefaults.subdomain}.onmicrosoft.com`,
        AZURE_CLIENT_ID: externalDefaults.app,
        AZURE_CLIENT_SECRET: externalDefaults.appSecret,
        AZURE_AUTHORITY_HOST: emulator.urls.https,
        ENTRANCE_GRAPH_URL: emulator.urls.https,
        ENTRANCE_EXTERNAL_ID: "true",
        ENTRANCE_SECRET: "customers-otp-app-test-secret-0123456789abcdef",
        NODE_EXTRA_CA_CERTS: emulator.caCertPath,
      },
      folder,
    );
    await app.start();
    await storeOpened(app.base);
    browser = await launchChromium();
    context = await browser.newContext();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.stop();
    await emulator?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Reads the code the emulator shows as e-mailed to `email` and enters it. */
  async function enterShownCode(page: Page, email: string, button: string) {
    const code = (await page.locator("#emulator-code").textContent()) ?? "";
    expect(code).toMatch(/^\d{8}$/);
    expect(code).toBe(emulator.control.oneTimeCode(email));
    await page.getByLabel("Code").fill(code);
    await page.locator(button).click();
  }

  it("signs a new customer up with a one-time code and a returning one in with another", async () => {
    const page = await context.newPage();
    const email = `otp.${Date.now()}@example.org`;
    await page.goto(`${app.base}/`);
    await page.locator("#sign-up").click();

    // Sign-up (prompt=create): no password under this user flow.
    await page.waitForURL((url) => url.origin === new URL(emulator.urls.http).origin);
    await expect(page.locator("h1").textContent()).resolves.toBe("Create account");
    await expect(page.locator('input[type="password"]').count()).resolves.toBe(0);
    await page.getByLabel("E-mail address").fill(email);
    await page.getByLabel("Display name").fill("Kim Passwordless");
    await page.locator("#sign-up-next").click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Verify e-mail");
    await enterShownCode(page, email, "#sign-up-verify");

    await page.waitForURL(`${app.base}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, Kim Passwordless");
    await expect(page.locator("#account-kind").textContent()).resolves.toBe("customer");
    const signedUp = await (await page.request.get(`${app.base}/api/me`)).json();
    expect(signedUp).toMatchObject({
      tenantId: externalDefaults.tenant,
      username: email,
      groups: [],
    });
    expect(signedUp.objectId).toMatch(/^[0-9a-f-]{36}$/);

    await page.locator("#sign-out").click();
    await page.waitForURL(`${app.base}/`);
    await expect(page.locator("#sign-in-redirect").isVisible()).resolves.toBe(true);

    // Returning: the tenant's sign-in page asks for the address, not for an account to pick.
    await page.locator("#sign-in-redirect").click();
    await page.waitForURL((url) => url.origin === new URL(emulator.urls.http).origin);
    await expect(page.locator("h1").textContent()).resolves.toBe("Sign in");
    await expect(page.getByRole("button", { name: /Kim Passwordless/ }).count()).resolves.toBe(0);

    // A wrong code is an error on the page, and the right one still signs in.
    await page.getByLabel("E-mail address").fill(email);
    await page.locator("#otp-send").click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Enter code");
    const shown = (await page.locator("#emulator-code").textContent()) ?? "";
    await page.getByLabel("Code").fill(shown === "00000000" ? "00000001" : "00000000");
    await page.locator("#otp-sign-in").click();
    await expect(page.locator("#sign-in-problem").textContent()).resolves.toContain(
      "That code is not right",
    );
    await page.screenshot({ path: join(SCREENSHOTS, "external-id-otp-code.png"), fullPage: true });
    await enterShownCode(page, email, "#otp-sign-in");

    await page.waitForURL(`${app.base}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, Kim Passwordless");
    await expect(page.locator("#account-kind").textContent()).resolves.toBe("customer");
    const returning = await (await page.request.get(`${app.base}/api/me`)).json();
    expect(returning).toMatchObject({
      tenantId: externalDefaults.tenant,
      username: email,
      objectId: signedUp.objectId,
    });
  });
});
