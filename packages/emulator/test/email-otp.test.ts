/**
 * An External ID tenant whose user flow signs customers in with an e-mail one-time passcode
 * (`signInMethod: "emailOtp"`), over real HTTP: the address page, the code page, sign-up without a
 * password, and every way a code can be wrong.
 */
import { createHash, randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DirectoryConfigError,
  defaultDirectory,
  externalDefaults,
  parseDirectory,
  type RunningEmulator,
  startEmulator,
} from "../src/index.js";
import {
  type RawResponse,
  request,
  signInWithEmailOtp,
  signUpOnPages,
} from "../src/testing/index.js";

const TENANT = `${externalDefaults.subdomain}.onmicrosoft.com`;
const REDIRECT_URI = "http://localhost:3000/auth/callback";
const SCOPES = "openid profile offline_access email User.Read";
let emulator: RunningEmulator;

/** The built-in directory with its External ID tenant switched to one-time passcodes. */
const otpDirectory = {
  ...defaultDirectory,
  tenants: defaultDirectory.tenants.map((tenant) =>
    tenant.id === externalDefaults.tenant
      ? { ...tenant, signInMethod: "emailOtp" as const }
      : tenant,
  ),
};

beforeAll(async () => {
  emulator = await startEmulator({ directory: otpDirectory });
});
afterAll(async () => {
  await emulator?.stop();
});

function authorize(overrides: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL(`${emulator.urls.http}/${TENANT}/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({
    client_id: externalDefaults.app,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: SCOPES,
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
      scope: SCOPES,
    }),
  });
  expect(res.status).toBe(200);
  return JSON.parse(res.text()) as { id_token: string; access_token: string };
}

function hidden(page: RawResponse, name: string): string {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(page.text())?.[1] ?? "";
}

/** Opens a sign-in and gives `email`: the code page (or the address page with a problem). */
async function askCode(email: string) {
  const start = await request(authorize({ prompt: "login" }).url);
  const requestId = hidden(start, "request");
  const page = await request(`${emulator.urls.http}/_emulator/email-otp`, {
    body: new URLSearchParams({ request: requestId, email }),
  });
  return { page, requestId, otp: hidden(page, "otp") };
}

function enterCode(requestId: string, otp: string, code: string) {
  return request(`${emulator.urls.http}/_emulator/email-otp/code`, {
    body: new URLSearchParams({ request: requestId, otp, code }),
  });
}

function otherThan(code: string): string {
  return code === "00000000" ? "00000001" : "00000000";
}

function uniqueEmail() {
  return `otp.${randomBytes(4).toString("hex")}@example.org`;
}

describe("External ID with e-mail one-time passcodes", () => {
  it("asks for an address instead of listing the customers, and links to sign-up", async () => {
    const page = await request(
      authorize({ login_hint: externalDefaults.customerEmail, prompt: "login" }).url,
    );
    expect(page.status).toBe(200);
    expect(page.text()).toContain("<h1>Sign in</h1>");
    expect(page.text()).toContain('name="email"');
    expect(page.text()).not.toContain('name="password"');
    // The hint fills the field; no account list (the picker's buttons carry data-upn).
    expect(page.text()).toContain(`value="${externalDefaults.customerEmail}"`);
    expect(page.text()).not.toContain("data-upn");
    expect(page.text()).toMatch(/<a id="sign-up" href="\/_emulator\/sign-up\?request=/);
  });

  it("signs a returning customer in with the code e-mailed to them, with a customer's claims", async () => {
    const { url, verifier } = authorize({ prompt: "login" });
    const back = await signInWithEmailOtp(emulator, url, externalDefaults.customerEmail);
    expect(new URL(back.location).searchParams.get("state")).toBe("s1");
    const claims = decodeJwt((await redeem(back.location, verifier)).id_token);
    expect(claims.iss).toBe(`${emulator.urls.https}/${externalDefaults.tenant}/v2.0`);
    expect(claims.tid).toBe(externalDefaults.tenant);
    expect(claims.oid).toBe(externalDefaults.customer);
    expect(claims.preferred_username).toBe(externalDefaults.customerEmail);
    expect(claims.name).toBe("Ava Lopez");
    expect(claims.groups).toBeUndefined();
    expect(claims.email).toBeUndefined();
    expect(claims.nonce).toBe("n1");
  });

  it("signs a new customer up without a password, then in again with a code", async () => {
    const signUp = await request(authorize({ prompt: "create" }).url);
    expect(signUp.text()).toContain("Create account");
    expect(signUp.text()).not.toContain('name="password"');

    const email = uniqueEmail();
    const first = authorize({ prompt: "create" });
    const back = await signUpOnPages(emulator, first.url, { email, displayName: "Olu Otp" });
    const claims = decodeJwt((await redeem(back.location, first.verifier)).id_token);
    expect(claims.name).toBe("Olu Otp");
    expect(claims.preferred_username).toBe(email);
    expect(emulator.directory.user(String(claims.oid))?.value.mail).toBe(email);

    const again = authorize({ prompt: "login" });
    const redirect = await signInWithEmailOtp(emulator, again.url, email.toUpperCase());
    const second = decodeJwt((await redeem(redirect.location, again.verifier)).id_token);
    expect(second.oid).toBe(claims.oid);
  });

  it("shows a wrong code as an error on the page, and starts over after three", async () => {
    const { page, requestId, otp } = await askCode(externalDefaults.customerEmail);
    expect(page.status).toBe(200);
    const code = emulator.control.oneTimeCode(externalDefaults.customerEmail) ?? "";
    expect(code).toMatch(/^\d{8}$/);
    expect(page.text()).toContain(`<code id="emulator-code">${code}</code>`);

    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await enterCode(requestId, otp, otherThan(code)));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(answers[0]?.text()).toContain("That code is not right");
    expect(answers[0]?.text()).toContain('name="otp"');
    expect(answers[2]?.text()).toContain("Too many wrong codes");
    expect(answers[2]?.text()).toContain('name="email"');
    // The right code is of no use any more.
    const late = await enterCode(requestId, otp, code);
    expect(late.status).toBe(400);
    expect(late.headers.location).toBeUndefined();
    expect(late.text()).toContain("expired or was already used");
  });

  it("refuses a code once used, and a code sent to another address", async () => {
    const other = uniqueEmail();
    await signUpOnPages(emulator, authorize({ prompt: "create" }).url, {
      email: other,
      displayName: "Other Customer",
    });
    const mine = await askCode(externalDefaults.customerEmail);
    const theirs = await askCode(other);
    const theirCode = emulator.control.oneTimeCode(other) ?? "";
    const myCode = emulator.control.oneTimeCode(externalDefaults.customerEmail) ?? "";

    // Their code, typed into my step: not right (unless both happen to be equal).
    if (theirCode !== myCode) {
      const crossed = await enterCode(mine.requestId, mine.otp, theirCode);
      expect(crossed.status).toBe(400);
      expect(crossed.text()).toContain("That code is not right");
    }
    const signedIn = await enterCode(theirs.requestId, theirs.otp, theirCode);
    expect(signedIn.status).toBe(302);
    const location = new URL(signedIn.headers.location ?? "");
    expect(location.searchParams.get("code")).toBeTruthy();

    // The same code again: used.
    const reused = await enterCode(theirs.requestId, theirs.otp, theirCode);
    expect(reused.status).toBe(400);
    expect(reused.headers.location).toBeUndefined();
    expect(reused.text()).toContain("expired or was already used");

    // Mine still works for me.
    const ok = await enterCode(mine.requestId, mine.otp, myCode);
    expect(ok.status).toBe(302);
  });

  it("lets a newer code replace the older one", async () => {
    const older = await askCode(externalDefaults.customerEmail);
    const olderCode = emulator.control.oneTimeCode(externalDefaults.customerEmail) ?? "";
    const newer = await askCode(externalDefaults.customerEmail);
    expect(newer.otp).not.toBe(older.otp);
    const res = await enterCode(older.requestId, older.otp, olderCode);
    expect(res.status).toBe(400);
    expect(res.text()).toContain("This code has expired or was already used. Ask for a new one.");
    expect(res.text()).toContain('name="email"');
  });

  it("lets a code expire on the emulator's clock", async () => {
    const { requestId, otp } = await askCode(externalDefaults.customerEmail);
    const code = emulator.control.oneTimeCode(externalDefaults.customerEmail) ?? "";
    emulator.control.shiftClock(9 * 60);
    try {
      expect(emulator.control.oneTimeCode(externalDefaults.customerEmail)).toBe(code);
      emulator.control.shiftClock(2 * 60);
      expect(emulator.control.oneTimeCode(externalDefaults.customerEmail)).toBeNull();
      const res = await enterCode(requestId, otp, code);
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.text()).toContain("expired or was already used");
    } finally {
      emulator.control.shiftClock(-11 * 60);
    }
  });

  it("answers an unknown or malformed address with an error on the page, never a code", async () => {
    const unknown = await askCode("nobody.here@example.org");
    expect(unknown.page.status).toBe(400);
    expect(unknown.page.text()).toContain("could not find an account with this e-mail address");
    expect(unknown.page.text()).toContain('id="sign-up"');
    expect(unknown.otp).toBe("");
    expect(emulator.control.oneTimeCode("nobody.here@example.org")).toBeNull();

    const hostile = await askCode('"><script>alert(1)</script>@example.org');
    expect(hostile.page.status).toBe(400);
    expect(hostile.page.text()).not.toContain("<script>alert(1)");
    expect(hostile.page.text()).toContain("&lt;script&gt;");

    const malformed = await askCode("not-an-address");
    expect(malformed.page.status).toBe(400);
    expect(malformed.page.text()).toContain("Enter a valid e-mail address.");
    const long = await askCode(`${"a".repeat(300)}@example.org`);
    expect(long.page.status).toBe(400);
  });

  it("refuses made-up requests and steps with the emulator's error page", async () => {
    const noRequest = await request(`${emulator.urls.http}/_emulator/email-otp`, {
      body: new URLSearchParams({ request: "nope", email: externalDefaults.customerEmail }),
    });
    expect(noRequest.status).toBe(400);
    expect(noRequest.text()).toContain("expired or was already used");
    const noStep = await enterCode("nope", "nope", "12345678");
    expect(noStep.status).toBe(400);
    expect(noStep.text()).toContain("expired or was already used");
    const empty = await request(`${emulator.urls.http}/_emulator/email-otp/code`, {
      body: new URLSearchParams({}),
    });
    expect(empty.status).toBe(400);
  });

  it("does not let the account picker's form sign a customer in without a code", async () => {
    const start = await request(authorize({ prompt: "login" }).url);
    const res = await request(`${emulator.urls.http}/_emulator/sign-in`, {
      body: new URLSearchParams({
        request: hidden(start, "request"),
        user: externalDefaults.customer,
      }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text()).toContain("one-time code sent by e-mail");
  });

  it("gives the code through the HTTP control API", async () => {
    await askCode(externalDefaults.customerEmail);
    const res = await request(
      `${emulator.urls.http}/_emulator/control/one-time-codes/${encodeURIComponent(externalDefaults.customerEmail)}`,
      { headers: { authorization: `Bearer ${emulator.controlKey}` } },
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text())).toEqual({
      code: emulator.control.oneTimeCode(externalDefaults.customerEmail),
    });
  });
});

describe("the signInMethod setting", () => {
  it("is refused on a tenant that is not external", () => {
    const workforce = {
      ...defaultDirectory,
      tenants: defaultDirectory.tenants.map((tenant, i) =>
        i === 0 ? { ...tenant, signInMethod: "emailOtp" as const } : tenant,
      ),
    };
    expect(() => parseDirectory(workforce)).toThrow(DirectoryConfigError);
    expect(() => parseDirectory(workforce)).toThrow(/only an external tenant/);
  });

  it("defaults to email with password", () => {
    const tenant = parseDirectory(defaultDirectory).tenants.find(
      (t) => t.id === externalDefaults.tenant,
    );
    expect(tenant?.signInMethod).toBe("emailPassword");
  });
});
