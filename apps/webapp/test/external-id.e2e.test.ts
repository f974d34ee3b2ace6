/**
 * The reference app as a customer app on Entra External ID, configured through its environment
 * only (a real `node dist/start.js`), against the emulator's External ID tenant, in Chromium: a new
 * customer signs up (e-mail, password, name, the e-mailed one-time code), lands signed in as a
 * customer, signs out, and signs in again.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { externalDefaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  describeWithChromium,
  launchChromium,
} from "../../../packages/emulator/test/support/browser.js";
import { type AppProcess, appProcess, freePort, storeOpened } from "./support/instances.js";
import { SCREENSHOTS } from "./support/reference-app.js";

describeWithChromium("the reference app for customers (External ID) in Chromium", () => {
  let emulator: RunningEmulator;
  let app: AppProcess;
  let folder: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    emulator = await startEmulator();
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
    folder = await mkdtemp(join(tmpdir(), "entrance-customers-"));
    // What apps/webapp/README.md tells a person to set: nothing else.
    app = appProcess(
      port,
      {
        AZURE_TENANT_ID: `${externalDefaults.subdomain}.onmicrosoft.com`,
        AZURE_CLIENT_ID: externalDefaults.app,
        AZURE_CLIENT_SECRET: externalDefaults.appSecret,
        AZURE_AUTHORITY_HOST: emulator.urls.https,
        ENTRANCE_GRAPH_URL: emulator.urls.https,
        ENTRANCE_EXTERNAL_ID: "true",
        ENTRANCE_SECRET: "customers-app-test-secret-0123456789abcdef",
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

  it("signs a customer up with the one-time code, signs them out, and in again", async () => {
    const page = await context.newPage();
    const email = `jo.${Date.now()}@example.org`;
    await page.goto(`${app.base}/`);
    await page.locator("#sign-up").click();

    // The emulator's sign-up page, straight away (prompt=create).
    await page.waitForURL((url) => url.origin === new URL(emulator.urls.http).origin);
    await expect(page.locator("h1").textContent()).resolves.toBe("Create account");
    await page.getByLabel("E-mail address").fill(email);
    await page.getByLabel("Password").fill("Gr0cery-list!");
    await page.getByLabel("Display name").fill("Jo Customer");
    await page.locator("#sign-up-next").click();

    // The code "e-mailed" to the customer, as the emulator shows it.
    await expect(page.locator("h1").textContent()).resolves.toBe("Verify e-mail");
    const code = (await page.locator("#emulator-code").textContent()) ?? "";
    expect(code).toBe(emulator.control.signUpCode(email));
    await page.screenshot({ path: join(SCREENSHOTS, "external-id-code.png"), fullPage: true });
    await page.getByLabel("Code").fill(code);
    await page.locator("#sign-up-verify").click();

    await page.waitForURL(`${app.base}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, Jo Customer");
    await expect(page.locator("#account-kind").textContent()).resolves.toBe("customer");
    const me = await (await page.request.get(`${app.base}/api/me`)).json();
    expect(me).toMatchObject({
      tenantId: externalDefaults.tenant,
      username: email,
      mail: null,
      groups: [],
    });

    await page.locator("#sign-out").click();
    await page.waitForURL(`${app.base}/`);
    await expect(page.locator("#sign-in-redirect").isVisible()).resolves.toBe(true);

    // Back as an existing customer: the account is on the tenant's sign-in page now.
    await page.locator("#sign-in-redirect").click();
    await page.waitForURL((url) => url.origin === new URL(emulator.urls.http).origin);
    await expect(page.locator("#sign-up").textContent()).resolves.toBe("Create one");
    await page.getByRole("button", { name: /Jo Customer/ }).click();
    await page.waitForURL(`${app.base}/`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Welcome, Jo Customer");
    await expect(page.locator("#account-kind").textContent()).resolves.toBe("customer");
  });
});
