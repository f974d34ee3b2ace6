/**
 * Security review, findings 2, 5, 8 and the error answers: sign-out must be able to reach Entra,
 * a sign-in Entra no longer accepts must end the app's sessions, front-channel logout checks the
 * issuer it is sent, and errors are answered with their status (JSON for APIs) without a stack.
 */
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EntranceError, UserKey } from "../src/index.js";
import { APP_BASE, browse, CookieJar, fresh, signedInAs, startSignIn } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => {
  emulator.control.setLifetimes({ accessToken: 3600 });
});

const LEE: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.member };

/** The sources of one CSP directive. */
function directive(csp: string | null, name: string): string[] {
  const found = (csp ?? "").split(";").find((d) => d.trim().startsWith(`${name} `));
  return found?.trim().split(/\s+/).slice(1) ?? [];
}

describe("sign-out from the confirmation page", () => {
  it("allows its form to be redirected to Entra's end-session endpoint (CSP form-action)", async () => {
    const { entrance, jar } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const page = await browse(entrance, jar, "/auth/logout");
    const formAction = directive(page.headers.get("content-security-policy"), "form-action");
    expect(formAction).toContain("'self'");
    // Where the POST's 303 goes: its origin must be a form target, or the browser stops there.
    expect(formAction).toContain(new URL(emulator.urls.http).origin);
    // Same-origin forms must carry a real Origin, which `no-referrer` would turn into "null".
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
  });

  it("gives apps the same headers for their own pages", async () => {
    const { entrance } = fresh(emulator);
    const headers = await entrance.securityHeaders({ "img-src": ["'self'", "https://cdn.test"] });
    const csp = headers["content-security-policy"] ?? null;
    expect(directive(csp, "form-action")).toEqual(["'self'", new URL(emulator.urls.http).origin]);
    expect(directive(csp, "frame-ancestors")).toEqual(["'none'"]);
    expect(directive(csp, "img-src")).toEqual(["'self'", "https://cdn.test"]);
    expect(headers).toMatchObject({
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "same-origin",
    });
  });

  it("writes each page's headers afresh: one caller's change is not the next one's", async () => {
    const { entrance } = fresh(emulator);
    const cdn = { "img-src": ["'self'", "https://cdn.test"] };
    const first = await entrance.securityHeaders(cdn);
    first["x-frame-options"] = "SAMEORIGIN";
    delete first["content-security-policy"];
    const again = await entrance.securityHeaders(cdn);
    expect(again["x-frame-options"]).toBe("DENY");
    expect(directive(again["content-security-policy"] ?? null, "img-src")).toEqual([
      "'self'",
      "https://cdn.test",
    ]);
    // Other directives, other headers; none given, the default policy.
    const plain = await entrance.securityHeaders();
    expect(directive(plain["content-security-policy"] ?? null, "img-src")).toEqual([
      "'self'",
      "data:",
    ]);
    expect(directive(plain["content-security-policy"] ?? null, "form-action")).toEqual([
      "'self'",
      new URL(emulator.urls.http).origin,
    ]);
  });
});

describe("a refresh Entra rejects for good", () => {
  it("ends the user's sessions on every device, not only their tokens", async () => {
    emulator.control.setLifetimes({ accessToken: 60 });
    const { entrance, store, jar } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const phone = new CookieJar();
    await browse(
      entrance,
      phone,
      await startSignIn(emulator, entrance, phone, "lee@contoso.onmicrosoft.com"),
    );
    expect(await entrance.getSession(jar.header)).not.toBeNull();
    emulator.control.revokeRefreshTokens("lee@contoso.onmicrosoft.com");
    const error = (await entrance
      .getAccessToken(LEE, ["User.Read"])
      .catch((e: unknown) => e)) as EntranceError;
    expect(error).toMatchObject({ code: "reauthentication_required", aadsts: 50173 });
    expect(await entrance.getSession(jar.header)).toBeNull();
    expect(await entrance.getSession(phone.header)).toBeNull();
    expect(await store.sessions.listByUser(LEE.tenantId, LEE.objectId)).toEqual([]);
    const { events } = await store.audit.list({ type: "session_ended", limit: 5, offset: 0 });
    expect(events[0]).toMatchObject({ objectId: LEE.objectId, aadsts: 50173 });
  });
});

describe("front-channel logout", () => {
  it("refuses an iss that is not this app's identity provider, and ends nothing", async () => {
    const { entrance, jar } = await signedInAs(emulator, "lee@contoso.onmicrosoft.com");
    const sid = (await entrance.getSession(jar.header))?.session.sid ?? "";
    for (const iss of [
      "https://evil.example/v2.0",
      `${emulator.urls.https}/not-a-guid/v2.0`,
      `${emulator.urls.https}/{tenantid}/v2.0`,
    ]) {
      const url = `/auth/frontchannel-logout?sid=${sid}&iss=${encodeURIComponent(iss)}`;
      expect((await browse(entrance, new CookieJar(), url)).status).toBe(400);
    }
    expect(await entrance.getSession(jar.header)).not.toBeNull();

    const iss = `${emulator.urls.https}/${defaults.contoso}/v2.0`;
    const url = `/auth/frontchannel-logout?sid=${sid}&iss=${encodeURIComponent(iss)}`;
    expect((await browse(entrance, new CookieJar(), url)).status).toBe(200);
    expect(await entrance.getSession(jar.header)).toBeNull();
  });
});

describe("errors of Entrance's routes", () => {
  it("are JSON with their status for API requests, and never show a stack trace", async () => {
    const { entrance } = fresh(emulator);
    const api = await entrance.handle(
      new Request(`${APP_BASE}/auth/callback?state=junk&code=x`, {
        headers: { accept: "application/json" },
      }),
    );
    expect(api?.status).toBe(400);
    expect(api?.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await api?.json()).toMatchObject({ error: "browser_binding_mismatch" });

    const page = await entrance.handle(
      new Request(`${APP_BASE}/auth/callback?state=junk&code=x`, {
        headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
      }),
    );
    expect(page?.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page?.text()).not.toMatch(/at .*\.ts:\d+/);
  });
});
