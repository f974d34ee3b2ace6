import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../src/index.js";
import { describeWithChromium, launchChromium } from "./support/browser.js";

/** Screenshots for a person to look at; git-ignored. */
const SCREENSHOTS = join(import.meta.dirname, "../../../test-results/screenshots");
const CLIENT_ID = "b1b2b3b4-c1c2-4d1d-8e1e-f1f2f3f4f5f6";

describeWithChromium("the emulator in Chromium", () => {
  let emulator: RunningEmulator;
  let browser: Browser;
  let app: Server;
  let appOrigin: string;
  const frontchannelCalls: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator();
    // A stand-in relying party: it only records what the browser brings back to it.
    app = createServer((req, res) => {
      const url = new URL(req.url ?? "/", appOrigin);
      if (url.pathname === "/frontchannel-logout")
        frontchannelCalls.push(url.searchParams.get("sid") ?? "");
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<title>app ${url.pathname}</title>`);
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    appOrigin = `http://localhost:${(app.address() as AddressInfo).port}`;
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: CLIENT_ID,
      displayName: "Browser test app",
      secrets: ["browser-test-secret-0123456789"],
      redirectUris: [`${appOrigin}/callback`, `${appOrigin}/`],
      frontchannelLogoutUrl: `${appOrigin}/frontchannel-logout`,
    });
    browser = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.close(resolve));
    await emulator?.stop();
  });

  function authorize(extra: Record<string, string> = {}) {
    const url = new URL(`${emulator.urls.http}/contoso.onmicrosoft.com/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: "code",
      redirect_uri: `${appOrigin}/callback`,
      scope: "openid profile offline_access User.Read",
      state: "browser-state",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      ...extra,
    }).toString();
    return url.href;
  }

  it("lists the users; a click returns to the redirect URI with a code and the state; then prompt=none is silent", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(authorize());
    await expect(page.title()).resolves.toBe("Sign in to your account");
    const accounts = page.getByRole("list", { name: "Accounts" }).getByRole("button");
    expect(await accounts.count()).toBeGreaterThanOrEqual(5);
    await expect(
      accounts.filter({ hasText: "adele@contoso.onmicrosoft.com" }).textContent(),
    ).resolves.toContain("groups");
    await page.screenshot({ path: join(SCREENSHOTS, "emulator-sign-in.png"), fullPage: true });

    await accounts.filter({ hasText: "megan@contoso.onmicrosoft.com" }).click();
    await page.waitForURL(`${appOrigin}/callback?**`);
    const back = new URL(page.url());
    expect(back.searchParams.get("code")).toMatch(/\S{20,}/);
    expect(back.searchParams.get("state")).toBe("browser-state");

    const visited: string[] = [];
    page.on("framenavigated", (frame) => visited.push(frame.url()));
    const response = await page.goto(authorize({ prompt: "none", state: "silent" }));
    expect(response?.status()).toBe(200);
    const silent = new URL(page.url());
    expect(silent.origin + silent.pathname).toBe(`${appOrigin}/callback`);
    expect(silent.searchParams.get("code")).toMatch(/\S{20,}/);
    expect(silent.searchParams.get("state")).toBe("silent");
    // No emulator page was shown on the way.
    expect(visited.filter((url) => url.startsWith(emulator.urls.http))).toEqual([]);

    const sid = silent.searchParams.get("session_state");
    await page.goto(
      `${emulator.urls.http}/contoso.onmicrosoft.com/oauth2/v2.0/logout?client_id=${CLIENT_ID}&post_logout_redirect_uri=${encodeURIComponent(`${appOrigin}/`)}`,
    );
    await page.waitForURL(`${appOrigin}/`);
    expect(frontchannelCalls).toContain(sid);
    await context.close();
  });

  it("shows consent for new scopes and Entra's own page for a bad redirect URI", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(authorize({ scope: "openid Mail.Read", state: "consent" }));
    await page.getByRole("button", { name: /lee@contoso/ }).click();
    await expect(
      page.getByRole("heading", { name: "Permissions requested" }).isVisible(),
    ).resolves.toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, "emulator-consent.png"), fullPage: true });
    await page.getByRole("button", { name: "Accept" }).click();
    await page.waitForURL(`${appOrigin}/callback?**`);
    expect(new URL(page.url()).searchParams.get("state")).toBe("consent");

    await page.goto(authorize({ redirect_uri: "https://attacker.example/cb" }));
    await expect(page.locator("#error-message").textContent()).resolves.toContain("AADSTS50011");
    await page.screenshot({ path: join(SCREENSHOTS, "emulator-error-50011.png"), fullPage: true });
    await context.close();
  });
});
