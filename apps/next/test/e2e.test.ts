/**
 * The Next.js example end to end in Chromium: built once with `next build`, served by
 * `next start` on 127.0.0.1 as `npm run start:next` serves it (the emulator started by
 * src/development.ts, its variables given to Next's process), on free ports and a temporary
 * folder. Signs in through the emulator's pages, reads the Graph profile, signs out; the proxy
 * and the pages' own checks send signed-out visits to sign in.
 */
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningEmulator } from "@entrance/emulator";
import { claimsChallenge } from "@entrance/emulator/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  describeWithChromium,
  launchChromium,
} from "../../../packages/emulator/test/support/browser.js";
import { development } from "../src/development.js";
import { runNext } from "../src/next-server.js";

/** Where tests write screenshots for a person to look at (git-ignored). */
const SCREENSHOTS = join(import.meta.dirname, "../../../test-results/screenshots");

describeWithChromium("the Next.js example in Chromium", () => {
  let folder: string;
  let base: string;
  let emulator: RunningEmulator | undefined;
  let server: ChildProcess | undefined;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    // One build per run: Next compiles the app and Entrance with it (minutes on a loaded machine).
    await finished(runNext(["build"], {}, "pipe"), "next build");
    folder = await mkdtemp(join(tmpdir(), "entrance-example-next-"));
    const port = await freePort();
    base = `http://localhost:${port}`;
    const dev = await development(base, folder, {});
    emulator = dev.emulator;
    server = runNext(["start", "--port", String(port), "--hostname", "127.0.0.1"], {
      ...dev.env,
      DATABASE_URL: join(folder, "entrance.db"),
    });
    await ready(server, base);
    browser = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 900_000);

  beforeEach(async () => {
    await context?.close();
    context = await browser.newContext();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    await emulator?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function pickUser(page: Page, upn: string) {
    await page.getByRole("button", { name: new RegExp(upn.replace(/[.@]/g, "\\$&")) }).click();
  }

  it("signs in from the home page's button, shows the Graph profile, and signs out", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await expect(page.locator("#login-url").textContent()).resolves.toBe(
      "/auth/login?returnTo=%2Fprofile",
    );
    await page.screenshot({ path: join(SCREENSHOTS, "next-home.png"), fullPage: true });
    await page.locator("#sign-in").click();
    await pickUser(page, "lee@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/`);
    await expect(page.locator("#username").textContent()).resolves.toBe(
      "lee@contoso.onmicrosoft.com",
    );
    const session = (await context.cookies(base)).find((c) => c.name === "entrance-session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });

    const signedIn = await page.goto(`${base}/profile`);
    // The page with the sign-out button may not be framed by any site (clickjacking).
    expect(signedIn?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(signedIn?.headers()["x-frame-options"]).toBe("DENY");
    const profile = await page.locator("#profile").textContent();
    expect(profile).toContain("Lee Gu");
    expect(profile).toContain("lee.gu@contoso.com");
    await page.screenshot({ path: join(SCREENSHOTS, "next-profile.png"), fullPage: true });

    await page.locator("#sign-out").click();
    await page.waitForURL(`${base}/`);
    await expect(page.locator("#sign-in").isVisible()).resolves.toBe(true);
    expect(
      (await context.cookies(base)).find((c) => c.name === "entrance-session"),
    ).toBeUndefined();
    const again = await page.request.get(`${base}/profile`, { maxRedirects: 0 });
    expect(again.status()).toBe(302);
    // The proxy answers 302 (a page's own redirect() is a 307); Next makes the Location relative.
    expect(again.headers().location).toBe("/auth/login?returnTo=%2Fprofile");
  });

  it("serves its pages with core's security headers, and Next's scripts run under their CSP", async () => {
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(`${base}/`);
    const headers = response?.headers() ?? {};
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    // Next put the request's nonce on the scripts that start its pages; none was refused.
    expect(await page.locator("script[nonce]").count()).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });

  it("the proxy sends a signed-out visit of /profile to sign in, and back to the profile", async () => {
    const page = await context.newPage();
    const refused = await page.request.get(`${base}/profile`, { maxRedirects: 0 });
    expect(refused.status()).toBe(302);
    expect(refused.headers().location).toBe("/auth/login?returnTo=%2Fprofile");
    await page.goto(`${base}/profile`);
    await pickUser(page, "megan@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/profile`);
    await expect(page.locator("#profile").textContent()).resolves.toContain("Megan Bowen");
  });

  it("a profile whose tokens were revoked sends the user to sign in again, and back to the profile", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/profile`);
    await pickUser(page, "alex@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/profile`);
    await expect(page.locator("#profile").textContent()).resolves.toContain("Alex Wilber");
    // An administrator revokes Alex's sessions; Graph, evaluating access continuously, refuses the
    // token the app holds at once, and the refresh token no longer works either.
    emulator?.control.revokeRefreshTokens("alex@contoso.onmicrosoft.com");
    emulator?.control.queueFault("graph", claimsChallenge(emulator.urls.https));
    const revoked = await page.request.get(`${base}/profile`, { maxRedirects: 0 });
    expect(revoked.status()).toBe(307);
    expect(revoked.headers().location).toMatch(/^\/auth\/login\?returnTo=%2Fprofile/);
    await page.goto(`${base}${revoked.headers().location}`);
    await pickUser(page, "alex@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/profile`);
    await expect(page.locator("#profile").textContent()).resolves.toContain("Alex Wilber");
  });

  it("a page outside the proxy's paths checks for itself: /account sends a signed-out visit to sign in", async () => {
    const page = await context.newPage();
    const refused = await page.request.get(`${base}/account`, { maxRedirects: 0 });
    expect(refused.status()).toBe(307);
    expect(refused.headers().location).toBe("/auth/login?returnTo=%2Faccount");
    await page.goto(`${base}/account`);
    await pickUser(page, "alex@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/account`);
    await expect(page.locator("#session").textContent()).resolves.toContain(
      "alex@contoso.onmicrosoft.com, signed in at",
    );
  });

  it("guards a route handler: 401 JSON signed out, the user as JSON signed in, no token in it", async () => {
    const page = await context.newPage();
    const refused = await page.request.get(`${base}/api/me`, {
      headers: { accept: "application/json" },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ error: expect.any(String) });
    await page.goto(`${base}/`);
    await page.locator("#sign-in").click();
    await pickUser(page, "megan@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/`);
    const me = await page.request.get(`${base}/api/me`, {
      headers: { accept: "application/json" },
    });
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ username: "megan@contoso.onmicrosoft.com" });
    expect(await me.text()).not.toContain("eyJ");
  });

  it("serves the admin panel from a catch-all route to staff, and refuses others", async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.locator("#sign-in").click();
    await pickUser(page, "megan@contoso.onmicrosoft.com");
    await page.waitForURL(`${base}/`);
    const panel = await page.goto(`${base}/admin`);
    expect(panel?.status()).toBe(200);
    expect(page.url()).toBe(`${base}/admin/users`);
    await expect(page.locator("body").textContent()).resolves.toContain(
      "megan@contoso.onmicrosoft.com",
    );
    await page.screenshot({ path: join(SCREENSHOTS, "next-admin.png"), fullPage: true });

    const other = await (await browser.newContext()).newPage();
    await other.goto(`${base}/`);
    await other.locator("#sign-in").click();
    await pickUser(other, "lee@contoso.onmicrosoft.com");
    await other.waitForURL(`${base}/`);
    expect((await other.goto(`${base}/admin`))?.status()).toBe(403);
    await other.context().close();
  });
});

/** A port free on 127.0.0.1 now, for `next start`, which takes a port rather than 0. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Waits for a piped `next` command to exit 0; its output is the error otherwise. */
async function finished(child: ChildProcess, what: string): Promise<void> {
  const output: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`${what} failed (${code}):\n${Buffer.concat(output)}`);
}

/** Waits until `next start` answers (it prints "Ready" a moment before it does), or exits. */
async function ready(child: ChildProcess, base: string): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt++) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    const answered = await fetch(`${base}/favicon.ico`).then(
      () => true,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("next start did not answer within a minute");
}
