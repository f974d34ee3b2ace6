import { createHash, randomBytes } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { externalDefaults, type RunningEmulator, startEmulator } from "../src/index.js";
import {
  pickAccount,
  request,
  signInWithoutBrowser,
  signUpOnPages,
  trustingNetworkClient,
} from "../src/testing/index.js";

const TENANT = `${externalDefaults.subdomain}.onmicrosoft.com`;
const REDIRECT_URI = "http://localhost:3000/auth/callback";
const PASSWORD = "Correct-horse-9";
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

function authorize(overrides: Record<string, string> = {}, tenant = TENANT) {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(`${emulator.urls.http}/${tenant}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({
    client_id: externalDefaults.app,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid profile offline_access email User.Read",
    state: "s1",
    nonce: "n1",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    ...overrides,
  }).toString();
  return { url, verifier };
}

async function redeem(location: string, verifier: string) {
  const code = new URL(location).searchParams.get("code") ?? "";
  const res = await request(`${emulator.urls.https}/${TENANT}/oauth2/v2.0/token`, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: externalDefaults.app,
      client_secret: externalDefaults.appSecret,
      redirect_uri: REDIRECT_URI,
      code,
      code_verifier: verifier,
      scope: "openid profile offline_access email User.Read",
    }),
  });
  expect(res.status).toBe(200);
  return JSON.parse(res.text()) as { id_token: string; access_token: string };
}

function uniqueEmail() {
  return `new.${randomBytes(4).toString("hex")}@example.org`;
}

describe("External ID tenant", () => {
  it("publishes metadata with its own tenant issuer, by domain and by id", async () => {
    for (const segment of [TENANT, externalDefaults.tenant]) {
      const res = await request(
        `${emulator.urls.https}/${segment}/v2.0/.well-known/openid-configuration`,
        { ca: emulator.caCertPem },
      );
      expect(res.status).toBe(200);
      const doc = JSON.parse(res.text()) as { issuer: string };
      expect(doc.issuer).toBe(`${emulator.urls.https}/${externalDefaults.tenant}/v2.0`);
    }
  });

  it("signs an existing customer in with the customer claim set: no groups, no email unless configured", async () => {
    const result = await signInWithoutBrowser(emulator, {
      user: externalDefaults.customer,
      tenant: TENANT,
      clientId: externalDefaults.app,
      clientSecret: externalDefaults.appSecret,
      scopes: ["email", "User.Read"],
    });
    const claims = decodeJwt(result.idToken);
    expect(claims.iss).toBe(`${emulator.urls.https}/${externalDefaults.tenant}/v2.0`);
    expect(claims.tid).toBe(externalDefaults.tenant);
    expect(claims.oid).toBe(externalDefaults.customer);
    expect(claims.preferred_username).toBe(externalDefaults.customerEmail);
    expect(claims.name).toBe("Ava Lopez");
    expect(claims.groups).toBeUndefined();
    expect(claims.email).toBeUndefined();
  });

  it("sends email when the tenant is set to emit it", async () => {
    const tenant = emulator.directory.tenant(TENANT);
    const saved = tenant?.emailClaim;
    (tenant as { emailClaim: boolean }).emailClaim = true;
    try {
      const result = await signInWithoutBrowser(emulator, {
        user: externalDefaults.customer,
        tenant: TENANT,
        clientId: externalDefaults.app,
        clientSecret: externalDefaults.appSecret,
        scopes: ["email"],
      });
      expect(decodeJwt(result.idToken).email).toBe(externalDefaults.customerEmail);
    } finally {
      (tenant as { emailClaim: boolean }).emailClaim = saved ?? false;
    }
  });

  it("links the sign-in page to sign-up, and keeps customers off organizations", async () => {
    const page = await request(authorize().url, { ca: emulator.caCertPem });
    expect(page.text()).toContain("No account?");
    expect(page.text()).toMatch(/<a id="sign-up" href="\/_emulator\/sign-up\?request=/);
    const workforce = await request(
      authorize({ client_id: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b" }, "organizations").url,
      { ca: emulator.caCertPem },
    );
    expect(workforce.text()).not.toContain(externalDefaults.customerEmail);
    expect(workforce.text()).not.toContain('id="sign-up"');
  });

  it("signs a new customer up with prompt=create and the one-time code, then signs them in", async () => {
    const email = uniqueEmail();
    const { url, verifier } = authorize({ prompt: "create" });
    const page = await request(url, { ca: emulator.caCertPem });
    expect(page.status).toBe(200);
    expect(page.text()).toContain("Create account");
    const back = await signUpOnPages(emulator, url, {
      email,
      password: PASSWORD,
      displayName: "Sam New",
    });
    expect(new URL(back.location).searchParams.get("state")).toBe("s1");
    const claims = decodeJwt((await redeem(back.location, verifier)).id_token);
    expect(claims.name).toBe("Sam New");
    expect(claims.preferred_username).toBe(email);
    expect(claims.tid).toBe(externalDefaults.tenant);
    const created = emulator.directory.user(String(claims.oid));
    expect(created?.tenant.id).toBe(externalDefaults.tenant);
    expect(created?.value.mail).toBe(email);

    // The account now exists: it is on the sign-in page and signs in again.
    const again = authorize({ prompt: "login" });
    const redirect = await pickAccount(emulator, again.url, { user: String(claims.oid) });
    expect(decodeJwt((await redeem(redirect.location, again.verifier)).id_token).oid).toBe(
      claims.oid,
    );
  });

  it("refuses a taken address, a weak password, and a wrong code three times", async () => {
    const { url } = authorize({ prompt: "create" });
    const first = await request(url, { ca: emulator.caCertPem });
    const requestId = /name="request" value="([^"]+)"/.exec(first.text())?.[1] ?? "";
    const post = (fields: Record<string, string>) =>
      request(`${emulator.urls.http}/_emulator/sign-up`, {
        body: new URLSearchParams({ request: requestId, displayName: "X", ...fields }),
      });
    const taken = await post({ email: externalDefaults.customerEmail, password: PASSWORD });
    expect(taken.status).toBe(400);
    expect(taken.text()).toContain("already exists");
    const weak = await post({ email: uniqueEmail(), password: "password" });
    expect(weak.status).toBe(400);
    expect(weak.text()).toContain("8 to 256 characters");

    const email = uniqueEmail();
    const codePage = await post({ email, password: PASSWORD });
    expect(codePage.status).toBe(200);
    const signup = /name="signup" value="([^"]+)"/.exec(codePage.text())?.[1] ?? "";
    const code = emulator.control.signUpCode(email);
    expect(code).toMatch(/^\d{8}$/);
    const wrong = (code === "00000000" ? "00000001" : "00000000") as string;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await request(`${emulator.urls.http}/_emulator/sign-up/code`, {
          body: new URLSearchParams({ signup, code: wrong }),
        }),
      );
    }
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(answers[2]?.text()).toContain("Too many wrong codes");
    // The right code no longer works: the sign-up starts over.
    const late = await request(`${emulator.urls.http}/_emulator/sign-up/code`, {
      body: new URLSearchParams({ signup, code: code ?? "" }),
    });
    expect(late.text()).not.toContain("Location");
    expect(late.status).toBe(400);
    expect(emulator.directory.tenant(TENANT)?.users.some((u) => u.mail === email)).toBe(false);
  });

  it("lets a sign-up code expire after 10 minutes on the emulator's clock", async () => {
    const { url } = authorize({ prompt: "create" });
    const first = await request(url, { ca: emulator.caCertPem });
    const requestId = /name="request" value="([^"]+)"/.exec(first.text())?.[1] ?? "";
    const email = uniqueEmail();
    const codePage = await request(`${emulator.urls.http}/_emulator/sign-up`, {
      body: new URLSearchParams({
        request: requestId,
        email,
        password: PASSWORD,
        displayName: "Z",
      }),
    });
    const signup = /name="signup" value="([^"]+)"/.exec(codePage.text())?.[1] ?? "";
    const code = emulator.control.signUpCode(email) ?? "";
    emulator.control.shiftClock(10 * 60 + 1);
    try {
      expect(emulator.control.signUpCode(email)).toBeNull();
      const late = await request(`${emulator.urls.http}/_emulator/sign-up/code`, {
        body: new URLSearchParams({ signup, code }),
      });
      expect(late.status).toBe(400);
      expect(late.headers.location).toBeUndefined();
      expect(late.text()).toContain("expired or was already used");
    } finally {
      emulator.control.shiftClock(-(10 * 60 + 1));
    }
    expect(emulator.directory.tenant(TENANT)?.users.some((u) => u.mail === email)).toBe(false);
  });

  it("gives the code through the HTTP control API", async () => {
    const { url } = authorize({ prompt: "create" });
    const first = await request(url, { ca: emulator.caCertPem });
    const requestId = /name="request" value="([^"]+)"/.exec(first.text())?.[1] ?? "";
    const email = uniqueEmail();
    await request(`${emulator.urls.http}/_emulator/sign-up`, {
      body: new URLSearchParams({
        request: requestId,
        email,
        password: PASSWORD,
        displayName: "Y",
      }),
    });
    const res = await request(
      `${emulator.urls.http}/_emulator/control/sign-up-codes/${encodeURIComponent(email)}`,
      { headers: { authorization: `Bearer ${emulator.controlKey}` } },
    );
    expect(JSON.parse(res.text())).toEqual({ code: emulator.control.signUpCode(email) });
  });

  it("refuses prompt=create at a workforce tenant", async () => {
    const res = await request(
      authorize(
        { prompt: "create", client_id: "5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b" },
        "contoso.onmicrosoft.com",
      ).url,
    );
    expect(res.status).toBe(302);
    const params = new URL(res.headers.location ?? "").searchParams;
    expect(params.get("error")).toBe("invalid_request");
  });

  it("is accepted by MSAL Node unchanged, with the tenant's authority", async () => {
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: externalDefaults.app,
        clientSecret: externalDefaults.appSecret,
        authority: emulator.authority(TENANT),
        knownAuthorities: [new URL(emulator.urls.https).host],
      },
      system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
    });
    const verifier = randomBytes(32).toString("base64url");
    const url = await cca.getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri: REDIRECT_URI,
      codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
      codeChallengeMethod: "S256",
      prompt: "create",
    });
    const email = uniqueEmail();
    const back = await signUpOnPages(emulator, url, {
      email,
      password: PASSWORD,
      displayName: "Msal Customer",
    });
    const result = await cca.acquireTokenByCode({
      code: new URL(back.location).searchParams.get("code") ?? "",
      redirectUri: REDIRECT_URI,
      scopes: ["User.Read"],
      codeVerifier: verifier,
    });
    expect(result.account?.tenantId).toBe(externalDefaults.tenant);
    expect(result.account?.username).toBe(email);
    // Graph on behalf of the customer (delegated User.Read).
    const me = await request(`${emulator.urls.https}/v1.0/me`, {
      ca: emulator.caCertPem,
      headers: { authorization: `Bearer ${result.accessToken}` },
    });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.text()).displayName).toBe("Msal Customer");
  });
});

describe("External ID sign-up with hostile input", () => {
  it("shows what was typed escaped, never as markup, and refuses an unknown request", async () => {
    const { url } = authorize({ prompt: "create" });
    const first = await request(url, { ca: emulator.caCertPem });
    const requestId = /name="request" value="([^"]+)"/.exec(first.text())?.[1] ?? "";
    const res = await request(`${emulator.urls.http}/_emulator/sign-up`, {
      body: new URLSearchParams({
        request: requestId,
        email: '"><script>alert(1)</script>@example.org',
        password: "weak",
        displayName: "<img src=x onerror=alert(1)>",
      }),
    });
    expect(res.status).toBe(400);
    expect(res.text()).not.toContain("<script>alert(1)");
    expect(res.text()).not.toContain("<img src=x");
    expect(res.text()).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const unknown = await request(`${emulator.urls.http}/_emulator/sign-up`, {
      body: new URLSearchParams({ request: "nope", email: "a@b.cd", password: PASSWORD }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text()).toContain("expired or was already used");
    const noCode = await request(`${emulator.urls.http}/_emulator/sign-up/code`, {
      body: new URLSearchParams({ signup: "nope", code: "12345678" }),
    });
    expect(noCode.status).toBe(400);
  });
});
