import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import { pickAccount, request } from "../src/testing/index.js";
import { authorizeUrl, responseParams } from "./support/flow.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

function logoutUrl(params: Record<string, string>) {
  const url = new URL(`${emulator.urls.http}/contoso.onmicrosoft.com/oauth2/v2.0/logout`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

describe("logout", () => {
  it("ends the session, calls each app's front-channel URL with the sid, and returns to a registered URI", async () => {
    const signIn = await pickAccount(emulator, authorizeUrl(emulator).url, {
      user: "megan@contoso.onmicrosoft.com",
    });
    const sid = responseParams(signIn.location).get("session_state");
    const cookie = signIn.sessionCookie ?? "";

    const res = await request(
      logoutUrl({
        post_logout_redirect_uri: "http://localhost:3000/",
        client_id: defaults.webApp,
        state: "s1",
      }),
      { headers: { cookie } },
    );
    const html = res.text();
    expect(res.status).toBe(200);
    expect(res.headers["set-cookie"]?.[0]).toMatch(/^entrance_emulator_session=;.*Max-Age=0/);
    expect(html).toContain(`src="http://localhost:3000/auth/frontchannel-logout?sid=${sid}"`);
    expect(html).toContain('id="continue" href="http://localhost:3000/?state=s1"');

    const silent = await request(authorizeUrl(emulator, { prompt: "none" }).url, {
      headers: { cookie },
    });
    expect(responseParams(silent.headers.location ?? "").get("error")).toBe("login_required");
  });

  it("does not return to an unregistered post_logout_redirect_uri", async () => {
    const res = await request(
      logoutUrl({ post_logout_redirect_uri: "https://evil.example/", client_id: defaults.webApp }),
    );
    expect(res.text()).not.toContain("evil.example");
    expect(res.text()).toContain("You signed out of your account");
  });

  it("accepts POST as well as GET", async () => {
    const res = await request(`${emulator.urls.http}/common/oauth2/v2.0/logout`, {
      body: new URLSearchParams({
        post_logout_redirect_uri: "http://localhost:3000/",
        client_id: defaults.webApp,
      }),
    });
    expect(res.text()).toContain('href="http://localhost:3000/"');
  });
});
