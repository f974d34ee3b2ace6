/**
 * Azure AD B2C end to end against the emulator's B2C tenant: sign-in and sign-up through the
 * sign-up/sign-in policy, "Forgot your password?" (AADB2C90118) through the reset policy and back
 * to the page the sign-in started from, profile edit and its cancel (AADB2C90091), sign-out
 * through the policy's end-session endpoint, no Graph for customers; ID tokens of the wrong kind
 * (workforce, another policy), signed with the emulator's real key, refused; and the settings.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import {
  type B2cStep,
  followB2cLink,
  openB2cPage,
  submitB2cForm,
} from "@entrance/emulator/testing";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEntrance,
  createMemoryStore,
  createNetworkClient,
  type EntranceOptions,
  loadConfig,
  trustCertificateAuthority,
} from "../src/index.js";
import { validateB2cIdToken } from "../src/tokens/b2c.js";
import { validateIdToken } from "../src/tokens/id-token.js";
import { Metadata } from "../src/tokens/metadata.js";
import { activeSigningKey, signToken } from "./support/bearer.js";
import { APP_BASE, browse, CookieJar, post, SECRET } from "./support/emulated.js";

const B2C = defaults.b2c;
let emulator: RunningEmulator;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-b2c-"));
  emulator = await startEmulator({ dataDir });
});
afterAll(async () => {
  await emulator.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function b2cApp(overrides: Partial<EntranceOptions> = {}) {
  const store = createMemoryStore();
  const entrance = createEntrance({
    tenantId: B2C.domain,
    clientId: B2C.webApp,
    clientSecret: B2C.webAppSecret,
    authorityHost: emulator.urls.https,
    baseUrl: APP_BASE,
    secrets: [SECRET],
    trust: trustCertificateAuthority(emulator.caCertPem),
    env: {},
    store,
    b2c: {
      signUpSignIn: B2C.signUpSignIn,
      resetPassword: B2C.passwordReset,
      editProfile: B2C.profileEdit,
    },
    ...overrides,
  });
  return { store, entrance, jar: new CookieJar() };
}

type App = ReturnType<typeof b2cApp>;

/** Follows Entrance's redirect to B2C and opens the policy's page. */
async function toB2c(app: App, path: string, emulatorCookie?: string) {
  const started = await browse(app.entrance, app.jar, path);
  expect(started.status).toBe(302);
  const url = started.headers.get("location") ?? "";
  return { url, page: await openB2cPage(emulator, url, emulatorCookie) };
}

/** Brings the browser back from B2C to Entrance's callback. */
async function backToApp(app: App, step: B2cStep) {
  expect(step.location).toMatch(/^http:\/\/localhost:3000\/auth\/callback\?/);
  return browse(app.entrance, app.jar, step.location ?? "");
}

async function signIn(app: App, returnTo = "/", password: string = B2C.customerPassword) {
  const { url, page } = await toB2c(app, `/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  const back = await submitB2cForm(emulator, page, url, { email: B2C.customerEmail, password });
  return { back, answer: await backToApp(app, back) };
}

describe("Azure AD B2C sign-in", () => {
  it("signs a customer in through the sign-up/sign-in policy, keyed by (tenant, object id), as a customer", async () => {
    const app = b2cApp();
    const { url } = await toB2c(app, "/auth/login?returnTo=%2Faccount");
    expect(url).toContain(`/${B2C.domain}/${B2C.signUpSignIn.toLowerCase()}/oauth2/v2.0/authorize`);
    const { answer } = await signIn(app, "/account");
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toBe("/account");
    const signedIn = await app.entrance.getSession(app.jar.header);
    expect(signedIn?.user).toMatchObject({
      tenantId: B2C.tenant,
      objectId: B2C.customer,
      accountKind: "customer",
      mail: B2C.customerEmail,
      username: B2C.customerEmail,
      displayName: "Ada Customer",
      roles: [],
      groups: [],
    });
    expect(await app.store.users.get(B2C.tenant, B2C.customer)).not.toBeNull();
  });

  it("signs a new customer up", async () => {
    const app = b2cApp();
    const { url, page } = await toB2c(app, "/auth/login?returnTo=%2F");
    const form = await followB2cLink(emulator, page, url, "createAccount");
    const email = `lib-${randomBytes(4).toString("hex")}@customers.example`;
    const back = await submitB2cForm(emulator, form, url, {
      email,
      displayName: "Brand New",
      password: "brand-new-passw0rd",
    });
    expect((await backToApp(app, back)).status).toBe(302);
    const user = (await app.entrance.getSession(app.jar.header))?.user;
    expect(user).toMatchObject({ tenantId: B2C.tenant, mail: email, displayName: "Brand New" });
  });

  it("turns 'Forgot your password?' (AADB2C90118) into the reset policy, then lands where the sign-in started, signed in", async () => {
    const app = b2cApp();
    const email = `forgot-${randomBytes(4).toString("hex")}@customers.example`;
    // A customer of their own, so that the shared one's password stays as the other tests expect.
    const signup = await toB2c(app, "/auth/login");
    const form = await followB2cLink(emulator, signup.page, signup.url, "createAccount");
    await submitB2cForm(emulator, form, signup.url, {
      email,
      displayName: "F",
      password: "old-passw0rd",
    });

    const other = b2cApp();
    const { url, page } = await toB2c(other, "/auth/login?returnTo=%2Forders%3Fpage%3D2");
    const forgot = await followB2cLink(emulator, page, url, "forgotPassword");
    expect(new URL(forgot.location ?? "").searchParams.get("error_description")).toMatch(
      /^AADB2C90118/,
    );
    const detour = await backToApp(other, forgot);
    expect(detour.status).toBe(302);
    const resetUrl = detour.headers.get("location") ?? "";
    expect(resetUrl).toContain(
      `/${B2C.domain}/${B2C.passwordReset.toLowerCase()}/oauth2/v2.0/authorize`,
    );
    const resetPage = await openB2cPage(emulator, resetUrl);
    const done = await submitB2cForm(emulator, resetPage, resetUrl, {
      email,
      password: "new-passw0rd-1",
    });
    const landed = await backToApp(other, done);
    expect(landed.status).toBe(302);
    expect(landed.headers.get("location")).toBe("/orders?page=2");
    expect((await other.entrance.getSession(other.jar.header))?.user.mail).toBe(email);
  });

  it("runs the profile-edit policy from the profile link; the session's user has the new name", async () => {
    const app = b2cApp();
    const { back } = await signIn(app);
    const context = await app.entrance.context(
      new Request(`${APP_BASE}/settings?tab=1`, { headers: { cookie: app.jar.header } }),
    );
    expect(context.profileUrl()).toBe("/auth/profile?returnTo=%2Fsettings%3Ftab%3D1");
    expect(context.locals.profileUrl).toBe("/auth/profile?returnTo=%2Fsettings%3Ftab%3D1");
    const { url, page } = await toB2c(app, context.profileUrl() ?? "", back.sessionCookie);
    expect(url).toContain(`/${B2C.profileEdit.toLowerCase()}/oauth2/v2.0/authorize`);
    const done = await submitB2cForm(emulator, page, url, { displayName: "Ada Edited" });
    const landed = await backToApp(app, done);
    expect(landed.headers.get("location")).toBe("/settings?tab=1");
    expect((await app.entrance.getSession(app.jar.header))?.user.displayName).toBe("Ada Edited");
    // Put the shared customer's name back for the other tests.
    const again = await toB2c(app, "/auth/profile", done.sessionCookie);
    await backToApp(
      app,
      await submitB2cForm(emulator, again.page, again.url, { displayName: "Ada Customer" }),
    );
  });

  it("returns a cancelled profile edit (AADB2C90091) to the page, signed in as before, without an error", async () => {
    const app = b2cApp();
    const { back } = await signIn(app);
    const before = app.jar.header;
    const { url, page } = await toB2c(app, "/auth/profile?returnTo=%2Fhome", back.sessionCookie);
    const cancelled = await followB2cLink(emulator, page, url, "cancel");
    expect(new URL(cancelled.location ?? "").searchParams.get("error_description")).toMatch(
      /^AADB2C90091/,
    );
    const landed = await backToApp(app, cancelled);
    expect(landed.status).toBe(302);
    expect(landed.headers.get("location")).toBe("/home");
    // The same session cookie, still signed in: nothing was ended or started.
    expect(app.jar.header).toBe(before);
    expect((await app.entrance.getSession(app.jar.header))?.user.objectId).toBe(B2C.customer);
  });

  it("signs out through the sign-up/sign-in policy's end-session endpoint", async () => {
    const app = b2cApp();
    await signIn(app);
    const out = await post(app.entrance, app.jar, "/auth/logout");
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toContain(
      `/${B2C.domain}/${B2C.signUpSignIn.toLowerCase()}/oauth2/v2.0/logout?post_logout_redirect_uri=`,
    );
    expect(await app.entrance.getSession(app.jar.header)).toBeNull();
  });

  it("keeps the customer's tokens: an access token for the app's own client id, from the cache and refreshed", async () => {
    const app = b2cApp({ scopes: [B2C.webApp] });
    await signIn(app);
    const user = { tenantId: B2C.tenant, objectId: B2C.customer };
    const cached = await app.entrance.getAccessToken(user, [B2C.webApp]);
    expect(decodeJwt(cached.token)).toMatchObject({ aud: B2C.webApp, tfp: B2C.signUpSignIn });
    const refreshed = await app.entrance.getAccessToken(user, [B2C.webApp], { forceRefresh: true });
    expect(refreshed.token).not.toBe(cached.token);
    expect(decodeJwt(refreshed.token)).toMatchObject({ aud: B2C.webApp, sub: B2C.customer });
  });

  it("refuses Microsoft Graph for a customer with b2c_graph_unsupported, before asking for a token", async () => {
    const app = b2cApp();
    await signIn(app);
    expect(() => app.entrance.graph({ tenantId: B2C.tenant, objectId: B2C.customer })).toThrow(
      expect.objectContaining({ code: "b2c_graph_unsupported" }),
    );
    const context = await app.entrance.context(
      new Request(`${APP_BASE}/`, { headers: { cookie: app.jar.header } }),
    );
    expect(() => context.graph).toThrow(expect.objectContaining({ code: "b2c_graph_unsupported" }));
  });

  it("has no profile link without a profile-edit policy, and leaves /auth/profile to the app", async () => {
    const app = b2cApp({ b2c: { signUpSignIn: B2C.signUpSignIn } });
    expect(app.entrance.profileUrl("/")).toBeNull();
    expect(app.entrance.ownsPath("/auth/profile")).toBe(true);
    const workforce = createEntrance({
      tenantId: "organizations",
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
      authorityHost: emulator.urls.https,
      baseUrl: APP_BASE,
      secrets: [SECRET],
      env: {},
      store: createMemoryStore(),
    });
    expect(workforce.ownsPath("/auth/profile")).toBe(false);
    expect(workforce.profileUrl("/")).toBeNull();
  });
});

describe("ID tokens of the wrong kind, signed with the emulator's own key", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const b2cClaims = (overrides: Record<string, unknown> = {}) => ({
    ver: "1.0",
    iss: `${emulator.urls.https}/${B2C.tenant}/v2.0/`,
    aud: B2C.webApp,
    sub: B2C.customer,
    tid: B2C.tenant,
    tfp: B2C.signUpSignIn,
    nonce: "n-1",
    iat: now(),
    nbf: now(),
    exp: now() + 3600,
    ...overrides,
  });
  const network = () =>
    createNetworkClient({ trust: trustCertificateAuthority(emulator.caCertPem) });
  const policyMetadata = (policy: string) =>
    new Metadata(`${emulator.urls.https}/${B2C.domain}/${policy}`, network());
  const expecting = {
    clientId: B2C.webApp,
    nonce: "n-1",
    policy: B2C.signUpSignIn,
    clockSkew: 300,
  };

  it("accepts B2C's own shape, with oid falling back to sub, so the refusals below are about what changed", async () => {
    const token = await signToken(await activeSigningKey(dataDir), b2cClaims());
    await expect(
      validateB2cIdToken(token, policyMetadata(B2C.signUpSignIn), expecting),
    ).resolves.toMatchObject({ tid: B2C.tenant, oid: B2C.customer });
  });

  it("refuses a workforce token at a B2C app", async () => {
    const token = await signToken(await activeSigningKey(dataDir), {
      ...b2cClaims({ iss: `${emulator.urls.https}/${B2C.tenant}/v2.0`, ver: "2.0" }),
      tfp: undefined,
      oid: B2C.customer,
    });
    await expect(
      validateB2cIdToken(token, policyMetadata(B2C.signUpSignIn), expecting),
    ).rejects.toMatchObject({ code: "id_token_invalid", message: expect.stringMatching(/issuer/) });
  });

  it("refuses a token of another policy (profile edit) where the sign-in started with sign-up/sign-in", async () => {
    const token = await signToken(
      await activeSigningKey(dataDir),
      b2cClaims({ tfp: B2C.profileEdit }),
    );
    await expect(
      validateB2cIdToken(token, policyMetadata(B2C.signUpSignIn), expecting),
    ).rejects.toMatchObject({ code: "id_token_invalid", message: expect.stringMatching(/policy/) });
  });

  it("refuses a token without a policy claim, and one whose tid is not its issuer's tenant", async () => {
    const key = await activeSigningKey(dataDir);
    const noPolicy = await signToken(key, b2cClaims({ tfp: undefined }));
    await expect(
      validateB2cIdToken(noPolicy, policyMetadata(B2C.signUpSignIn), expecting),
    ).rejects.toMatchObject({ code: "id_token_invalid" });
    const otherTid = await signToken(key, b2cClaims({ tid: defaults.contoso }));
    await expect(
      validateB2cIdToken(otherTid, policyMetadata(B2C.signUpSignIn), expecting),
    ).rejects.toMatchObject({ code: "id_token_invalid", message: expect.stringMatching(/tid/) });
  });

  it("reads the policy claims strictly: tfp and acr must agree and be strings when sent", async () => {
    const key = await activeSigningKey(dataDir);
    const refused = async (claims: Record<string, unknown>, why: RegExp) => {
      const token = await signToken(key, b2cClaims(claims));
      await expect(
        validateB2cIdToken(token, policyMetadata(B2C.signUpSignIn), expecting),
      ).rejects.toMatchObject({ code: "id_token_invalid", message: expect.stringMatching(why) });
    };
    await refused({ acr: B2C.profileEdit }, /tfp and acr name two policies/);
    await refused({ tfp: null, acr: B2C.signUpSignIn }, /names no B2C policy/);
    await refused({ acr: ["x"] }, /names no B2C policy/);
    // Both claims naming the same policy, in any ASCII case, are B2C's own shape.
    const both = await signToken(
      key,
      b2cClaims({ tfp: B2C.signUpSignIn.toUpperCase(), acr: B2C.signUpSignIn }),
    );
    await expect(
      validateB2cIdToken(both, policyMetadata(B2C.signUpSignIn), expecting),
    ).resolves.toMatchObject({ tid: B2C.tenant });
  });

  it("refuses a B2C token at a workforce app", async () => {
    const token = await signToken(
      await activeSigningKey(dataDir),
      b2cClaims({ aud: defaults.webApp, oid: B2C.customer }),
    );
    await expect(
      validateIdToken(token, new Metadata(emulator.authority("organizations"), network()), {
        clientId: defaults.webApp,
        nonce: "n-1",
        tenantId: undefined,
        allowedTenants: [],
        personalAccounts: false,
        clockSkew: 300,
      }),
    ).rejects.toMatchObject({ code: "id_token_invalid", message: expect.stringMatching(/B2C/) });
  });
});

describe("B2C configuration", () => {
  const base = {
    AZURE_TENANT_ID: "contoso.onmicrosoft.com",
    AZURE_CLIENT_ID: B2C.webApp,
    AZURE_CLIENT_SECRET: "a-secret",
    ENTRANCE_BASE_URL: "http://localhost:3000",
    ENTRANCE_SECRET: SECRET,
  };

  it("reads the policies from the environment and derives the b2clogin.com host from the tenant", () => {
    const config = loadConfig(
      {},
      {
        ...base,
        AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: "B2C_1_susi",
        AZURE_B2C_RESET_PASSWORD_POLICY: "B2C_1A_PasswordReset",
        AZURE_B2C_EDIT_PROFILE_POLICY: "B2C_1_edit",
      },
    );
    expect(config.b2c).toEqual({
      signUpSignIn: "B2C_1_susi",
      resetPassword: "B2C_1A_PasswordReset",
      editProfile: "B2C_1_edit",
    });
    expect(config.authorityHost).toBe("https://contoso.b2clogin.com");
    expect(config.scopes).toEqual([]);
  });

  it.each([
    [
      { AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: "signupsignin" },
      /AZURE_B2C_SIGN_UP_SIGN_IN_POLICY.*B2C policy name/,
    ],
    [{ AZURE_B2C_RESET_PASSWORD_POLICY: "B2C_1_reset" }, /AZURE_B2C_SIGN_UP_SIGN_IN_POLICY/],
    [
      { AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: "B2C_1_susi", AZURE_TENANT_ID: "common" },
      /common, organizations and consumers are not B2C tenants/,
    ],
    [
      {
        AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: "B2C_1_susi",
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com",
      },
      /not B2C's; set it to https:\/\/\{your tenant name\}\.b2clogin\.com/,
    ],
    [
      { AZURE_B2C_SIGN_UP_SIGN_IN_POLICY: "B2C_1_susi", AZURE_TENANT_ID: "not a domain" },
      /B2C tenant's domain/,
    ],
  ])("refuses %o at start-up with the fix", (env, message) => {
    expect(() => loadConfig({}, { ...base, ...env })).toThrow(
      expect.objectContaining({ code: "config_invalid", message: expect.stringMatching(message) }),
    );
  });
});
