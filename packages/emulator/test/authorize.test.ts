import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import { pickAccount, request, signInOnPages } from "../src/testing/index.js";
import { authorizeUrl, REDIRECT_URI, redeem, responseParams } from "./support/flow.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

describe("authorize errors", () => {
  it("shows AADSTS50011 on its own page for an unregistered redirect URI, never redirecting", async () => {
    const { url } = authorizeUrl(emulator, { redirect_uri: "https://evil.example/callback" });
    const res = await request(url);
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text()).toContain("AADSTS50011");
    expect(res.text()).toContain("https://evil.example/callback");
  });

  it("shows AADSTS700016 for an unknown application", async () => {
    const res = await request(
      authorizeUrl(emulator, { client_id: "00000000-0000-0000-0000-000000000001" }).url,
    );
    expect(res.status).toBe(400);
    expect(res.text()).toContain("AADSTS700016");
  });

  it("returns a missing scope to the redirect URI as AADSTS900144 with the state", async () => {
    const { url, state } = authorizeUrl(emulator, { scope: undefined });
    const res = await request(url);
    expect(res.status).toBe(302);
    const params = responseParams(res.headers.location ?? "");
    expect(params.get("error")).toBe("invalid_request");
    expect(params.get("error_description")).toMatch(/^AADSTS900144: .*'scope'/);
    expect(params.get("error_description")).toContain("Trace ID:");
    expect(params.get("state")).toBe(state);
  });

  it("returns an unknown scope as invalid_scope AADSTS70011", async () => {
    const res = await request(authorizeUrl(emulator, { scope: "openid Nope.Nothing" }).url);
    expect(responseParams(res.headers.location ?? "").get("error_description")).toMatch(
      /^AADSTS70011/,
    );
  });

  it("answers prompt=none without a session with login_required AADSTS50058", async () => {
    const res = await request(authorizeUrl(emulator, { prompt: "none" }).url);
    const params = responseParams(res.headers.location ?? "");
    expect(params.get("error")).toBe("login_required");
    expect(params.get("error_description")).toMatch(/^AADSTS50058/);
  });

  it("refuses /common for a single-tenant app with AADSTS50194", async () => {
    const single = "0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d";
    emulator.control.putApp("contoso.onmicrosoft.com", {
      clientId: single,
      displayName: "Single tenant app",
      secrets: ["single-tenant-secret-123456"],
      redirectUris: [REDIRECT_URI],
    });
    const res = await request(authorizeUrl(emulator, { client_id: single }, "common").url);
    expect(responseParams(res.headers.location ?? "").get("error_description")).toMatch(
      /^AADSTS50194/,
    );
  });
});

describe("sign-in page", () => {
  it("lists the tenant's users, and only them, for a tenant authority", async () => {
    const html = (await request(authorizeUrl(emulator).url)).text();
    for (const upn of [
      "megan@contoso.onmicrosoft.com",
      "adele@contoso.onmicrosoft.com",
      "alex@contoso.onmicrosoft.com",
    ]) {
      expect(html).toContain(upn);
    }
    expect(html).not.toContain("mallory@fabrikam.onmicrosoft.com");
  });

  it("lists every organization's users for organizations", async () => {
    const html = (await request(authorizeUrl(emulator, {}, "organizations").url)).text();
    expect(html).toContain("mallory@fabrikam.onmicrosoft.com");
    expect(html).toContain("megan@contoso.onmicrosoft.com");
  });

  it("escapes what it shows", async () => {
    emulator.control.putUser("contoso.onmicrosoft.com", {
      id: "9f9f9f9f-9f9f-4f9f-9f9f-9f9f9f9f9f9f",
      userPrincipalName: "script@contoso.onmicrosoft.com",
      displayName: "<script>alert(1)</script>",
    });
    const html = (await request(authorizeUrl(emulator).url)).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    emulator.control.removeUser("script@contoso.onmicrosoft.com");
  });
});

describe("response modes", () => {
  it("query (default) and fragment carry the code and state", async () => {
    for (const mode of ["query", "fragment"]) {
      const { url, state } = authorizeUrl(emulator, { response_mode: mode });
      const { location } = await pickAccount(emulator, url, {
        user: "lee@contoso.onmicrosoft.com",
      });
      const params = responseParams(location);
      expect(location.includes("#")).toBe(mode === "fragment");
      expect(params.get("code")).toMatch(/\S{20,}/);
      expect(params.get("state")).toBe(state);
    }
  });

  it("form_post answers with a form that posts code and state to the redirect URI", async () => {
    const { url, state } = authorizeUrl(emulator, { response_mode: "form_post" });
    const first = await request(url);
    const requestId = /name="request" value="([^"]+)"/.exec(first.text())?.[1] ?? "";
    const res = await request(`${emulator.urls.http}/_emulator/sign-in`, {
      body: new URLSearchParams({ request: requestId, user: defaults.users.member }),
    });
    const html = res.text();
    expect(html).toContain(`<form method="post" action="${REDIRECT_URI}">`);
    expect(html).toContain(`name="state" value="${state}"`);
    expect(html).toMatch(/name="code" value="[^"]{20,}"/);
  });

  it("signInOnPages hands back the form_post answer, and pickAccount refuses it", async () => {
    const { url, state } = authorizeUrl(emulator, { response_mode: "form_post" });
    const { back } = await signInOnPages(emulator, url, { user: "lee@contoso.onmicrosoft.com" });
    if (back.kind !== "form_post") throw new Error(`expected a form_post answer, got ${back.kind}`);
    expect(back.action).toBe(REDIRECT_URI);
    expect(back.fields.get("state")).toBe(state);
    expect(back.fields.get("code")?.length).toBeGreaterThan(20);
    const again = authorizeUrl(emulator, { response_mode: "form_post" }).url;
    await expect(
      pickAccount(emulator, again, { user: "lee@contoso.onmicrosoft.com" }),
    ).rejects.toThrow(/form_post/);
  });
});

describe("single sign-on", () => {
  it("signs in silently the second time, and with prompt=none", async () => {
    const first = await pickAccount(emulator, authorizeUrl(emulator).url, {
      user: "megan@contoso.onmicrosoft.com",
    });
    const cookie = first.sessionCookie ?? "";
    expect(cookie).toMatch(/^entrance_emulator_session=/);
    for (const prompt of [undefined, "none"]) {
      const res = await request(authorizeUrl(emulator, { prompt }).url, { headers: { cookie } });
      expect(res.status).toBe(302);
      expect(responseParams(res.headers.location ?? "").get("code")).toBeTruthy();
    }
    const again = await request(authorizeUrl(emulator, { prompt: "login" }).url, {
      headers: { cookie },
    });
    expect(again.status).toBe(200);
    expect(again.text()).toContain("Pick an account");
  });

  it("issues the same sid to every sign-in of one session", async () => {
    const first = await pickAccount(emulator, authorizeUrl(emulator).url, {
      user: "megan@contoso.onmicrosoft.com",
    });
    const { url, verifier } = authorizeUrl(emulator);
    const res = await request(url, { headers: { cookie: first.sessionCookie ?? "" } });
    const code = responseParams(res.headers.location ?? "").get("code") ?? "";
    const tokens = (await redeem(emulator, { code, code_verifier: verifier })).json<{
      id_token: string;
    }>();
    expect(decodeJwt(tokens.id_token).sid).toBe(
      responseParams(first.location).get("session_state"),
    );
  });
});

describe("consent", () => {
  it("asks for scopes not yet granted, then remembers them", async () => {
    const { url, verifier } = authorizeUrl(emulator, { scope: "openid offline_access Mail.Read" });
    const page = await request(url);
    const first = await pickAccount(emulator, url, { user: "lee@contoso.onmicrosoft.com" });
    expect(page.status).toBe(200);
    const code = responseParams(first.location).get("code") ?? "";
    const tokens = await redeem(emulator, {
      code,
      code_verifier: verifier,
      scope: "openid offline_access Mail.Read",
    });
    expect(tokens.json<{ scope: string }>().scope.split(" ")).toContain("Mail.Read");

    const second = await request(authorizeUrl(emulator, { scope: "openid Mail.Read" }).url, {
      headers: { cookie: first.sessionCookie ?? "" },
    });
    expect(second.status).toBe(302);
  });

  it("returns access_denied when the person cancels", async () => {
    const { url } = authorizeUrl(emulator, { scope: "openid Calendars.Read" });
    const page = await request(url);
    const requestId = /name="request" value="([^"]+)"/.exec(page.text())?.[1] ?? "";
    const signedIn = await request(`${emulator.urls.http}/_emulator/sign-in`, {
      body: new URLSearchParams({ request: requestId, user: defaults.users.admin }),
    });
    expect(signedIn.text()).toContain("Permissions requested");
    const cookie = signedIn.headers["set-cookie"]?.[0]?.split(";")[0] ?? "";
    const cancelled = await request(`${emulator.urls.http}/_emulator/consent`, {
      body: new URLSearchParams({ request: requestId, decision: "cancel" }),
      headers: { cookie },
    });
    const params = responseParams(cancelled.headers.location ?? "");
    expect(params.get("error")).toBe("access_denied");
    expect(params.get("error_description")).toMatch(/^AADSTS65004/);
  });

  it("answers prompt=none with consent_required when consent is missing", async () => {
    const first = await pickAccount(emulator, authorizeUrl(emulator).url, {
      user: "adele@contoso.onmicrosoft.com",
    });
    const res = await request(
      authorizeUrl(emulator, { prompt: "none", scope: "openid Directory.Read.All" }).url,
      {
        headers: { cookie: first.sessionCookie ?? "" },
      },
    );
    const params = responseParams(res.headers.location ?? "");
    expect(params.get("error")).toBe("consent_required");
    expect(params.get("error_description")).toMatch(/^AADSTS65001/);
  });
});
