/**
 * A person's browser at the External ID tenant's real host name: Chromium pointed at the
 * emulator's host proxy (`--proxy-server`), the emulator's TLS key pinned by its SPKI hash (as a
 * browser that trusts the emulator's CA would accept it), and a stand-in app on localhost, which
 * Chromium reaches directly (loopback is never proxied).
 */
import { createHash, X509Certificate } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { Browser } from "playwright-core";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { externalDefaults, type RunningEmulator, startEmulator } from "../src/index.js";
import { type HostProxy, startEmulatorHostProxy } from "../src/testing/index.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH, describeWithChromium } from "./support/browser.js";

const TID = externalDefaults.tenant;
const HOST = `${externalDefaults.subdomain}.ciamlogin.com`;
const CLIENT_ID = "e8f1a5b6-7283-4eaf-9ac1-1cad9e8f7a6b";

/** The SPKI hash of the certificate the emulator serves for `servername`, for Chromium's pin list. */
async function servedSpki(emulator: RunningEmulator, servername: string): Promise<string> {
  const cert = await new Promise<X509Certificate>((resolve, reject) => {
    const socket = tlsConnect({
      host: "127.0.0.1",
      port: Number(new URL(emulator.urls.https).port),
      servername,
      ca: emulator.caCertPem,
    });
    socket.once("secureConnect", () => {
      resolve(new X509Certificate(socket.getPeerCertificate().raw));
      socket.end();
    });
    socket.once("error", reject);
  });
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

describeWithChromium("the External ID host in Chromium, through the host proxy", () => {
  let emulator: RunningEmulator;
  let proxy: HostProxy;
  let browser: Browser;
  let app: Server;
  let appOrigin: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    proxy = await startEmulatorHostProxy(emulator);
    app = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<title>app ${new URL(req.url ?? "/", appOrigin).pathname}</title>`);
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    appOrigin = `http://localhost:${(app.address() as AddressInfo).port}`;
    emulator.control.putApp(TID, {
      clientId: CLIENT_ID,
      displayName: "Shop in the browser",
      secrets: ["browser-shop-secret-0123456789"],
      redirectUris: [`${appOrigin}/callback`],
      groupMembershipClaims: "None",
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        `--proxy-server=${proxy.url}`,
        `--ignore-certificate-errors-spki-list=${await servedSpki(emulator, HOST)}`,
      ],
      timeout: 30_000,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.close(resolve));
    await proxy?.close();
    await emulator?.stop();
  });

  it("signs a customer in on https://contosocustomers.ciamlogin.com and returns to the app", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const authorize = new URL(`https://${HOST}/${TID}/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: "code",
      redirect_uri: `${appOrigin}/callback`,
      scope: "openid profile offline_access",
      state: "ciam-state",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    await page.goto(authorize.href);
    await expect(page.title()).resolves.toBe("Sign in to your account");
    expect(new URL(page.url()).origin).toBe(`https://${HOST}`);
    await page.getByRole("button", { name: /Ava Lopez/ }).click();
    await page.waitForURL(`${appOrigin}/callback?**`);
    const back = new URL(page.url());
    expect(back.searchParams.get("code")).toMatch(/\S{20,}/);
    expect(back.searchParams.get("state")).toBe("ciam-state");

    // A name the emulator does not own is refused by the proxy, not sent on.
    await expect(page.goto("https://fabrikamcustomers.ciamlogin.com/")).rejects.toThrow(
      /ERR_TUNNEL_CONNECTION_FAILED/,
    );
    await context.close();
  });
});
