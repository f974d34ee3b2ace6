/**
 * An Azure AD B2C tenant in the emulator: its endpoints by policy, its pages (sign-in, sign-up,
 * "Forgot your password?" and AADB2C90118, reset, profile edit, cancel and AADB2C90091), its
 * tokens, and MSAL Node accepting its authorities unchanged with knownAuthorities.
 */
import { createHash, randomBytes } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaults, type RunningEmulator, startEmulator } from "../src/index.js";
import {
  followB2cLink,
  openB2cPage,
  request,
  submitB2cForm,
  trustingNetworkClient,
} from "../src/testing/index.js";

const REDIRECT_URI = "http://localhost:3000/auth/callback";
const B2C = defaults.b2c;
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.stop());

const authority = (policy: string) => `${emulator.urls.https}/${B2C.domain}/${policy}`;

function msalFor(policy: string) {
  return new ConfidentialClientApplication({
    auth: {
      clientId: B2C.webApp,
      clientSecret: B2C.webAppSecret,
      authority: authority(policy),
      knownAuthorities: [new URL(emulator.urls.https).host],
    },
    system: { networkClient: trustingNetworkClient(emulator.caCertPem) },
  });
}

async function start(policy: string, cookie?: string) {
  const cca = msalFor(policy);
  const verifier = randomBytes(32).toString("base64url");
  const nonce = randomBytes(8).toString("hex");
  const url = await cca.getAuthCodeUrl({
    scopes: [],
    redirectUri: REDIRECT_URI,
    codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
    codeChallengeMethod: "S256",
    nonce,
  });
  const page = await openB2cPage(emulator, url, cookie);
  const redeem = (location: string | undefined) =>
    cca.acquireTokenByCode({
      code: new URL(location ?? "http://x/").searchParams.get("code") ?? "",
      redirectUri: REDIRECT_URI,
      scopes: [],
      codeVerifier: verifier,
      nonce,
    });
  return { url, page, redeem };
}

describe("an Azure AD B2C tenant", () => {
  it("publishes each policy's metadata under /{tenant}/{policy} with B2C's issuer", async () => {
    const res = await request(
      `${authority(B2C.signUpSignIn)}/v2.0/.well-known/openid-configuration`,
      { ca: emulator.caCertPem },
    );
    expect(res.status).toBe(200);
    const doc = res.json<Record<string, string>>();
    const path = `${B2C.domain}/${B2C.signUpSignIn.toLowerCase()}`;
    expect(doc.issuer).toBe(`${emulator.urls.https}/${B2C.tenant}/v2.0/`);
    expect(doc.authorization_endpoint).toBe(`${emulator.urls.pages}/${path}/oauth2/v2.0/authorize`);
    expect(doc.token_endpoint).toBe(`${emulator.urls.https}/${path}/oauth2/v2.0/token`);
    expect(doc.jwks_uri).toBe(`${emulator.urls.https}/${path}/discovery/v2.0/keys`);
    const keys = await request(doc.jwks_uri ?? "", { ca: emulator.caCertPem });
    expect(keys.json<{ keys: { kid: string }[] }>().keys.length).toBeGreaterThan(0);
  });

  it("answers 404 for a policy the tenant lacks, and the tenant not at all as a workforce tenant", async () => {
    const unknown = await request(
      `${authority("B2C_1_nothere")}/v2.0/.well-known/openid-configuration`,
      { ca: emulator.caCertPem },
    );
    expect(unknown.status).toBe(404);
    const workforce = await request(
      `${emulator.urls.https}/${B2C.domain}/v2.0/.well-known/openid-configuration`,
      { ca: emulator.caCertPem },
    );
    expect(workforce.status).toBe(400);
  });

  it("signs a customer in through MSAL Node with B2C's claims: sub, tfp, emails, tid", async () => {
    const { page, url, redeem } = await start(B2C.signUpSignIn);
    expect(page.response.text()).toContain("Forgot your password?");
    const back = await submitB2cForm(emulator, page, url, {
      email: B2C.customerEmail,
      password: B2C.customerPassword,
    });
    expect(back.location).toMatch(/^http:\/\/localhost:3000\/auth\/callback\?code=/);
    const result = await redeem(back.location);
    const claims = decodeJwt(result.idToken);
    expect(claims).toMatchObject({
      iss: `${emulator.urls.https}/${B2C.tenant}/v2.0/`,
      aud: B2C.webApp,
      sub: B2C.customer,
      tid: B2C.tenant,
      tfp: B2C.signUpSignIn,
      emails: [B2C.customerEmail],
      name: "Ada Customer",
      ver: "1.0",
    });
    expect(claims.newUser).toBeUndefined();
    expect(result.account?.homeAccountId).toBe(
      `${B2C.customer}-${B2C.signUpSignIn.toLowerCase()}.${B2C.tenant}`,
    );
  });

  it("refuses a wrong password on the page, and sends no code", async () => {
    const { page, url } = await start(B2C.signUpSignIn);
    const again = await submitB2cForm(emulator, page, url, {
      email: B2C.customerEmail,
      password: "not-the-password",
    });
    expect(again.location).toBeUndefined();
    expect(again.response.text()).toContain("Your password is incorrect.");
  });

  it("signs a new customer up, with newUser in the ID token", async () => {
    const { page, url, redeem } = await start(B2C.signUpSignIn);
    const form = await followB2cLink(emulator, page, url, "createAccount");
    const email = `new-${randomBytes(4).toString("hex")}@customers.example`;
    const back = await submitB2cForm(emulator, form, url, {
      email,
      displayName: "New Customer",
      password: "a-new-passw0rd",
    });
    const claims = decodeJwt((await redeem(back.location)).idToken);
    expect(claims).toMatchObject({ emails: [email], name: "New Customer", newUser: true });
  });

  it("sends AADB2C90118 to the app for 'Forgot your password?', and the reset policy sets a new one", async () => {
    const { page, url } = await start(B2C.signUpSignIn);
    const forgot = await followB2cLink(emulator, page, url, "forgotPassword");
    const back = new URL(forgot.location ?? "");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toMatch(/^AADB2C90118: /);

    const email = `reset-${randomBytes(4).toString("hex")}@customers.example`;
    const signup = await start(B2C.signUpSignIn);
    const form = await followB2cLink(emulator, signup.page, signup.url, "createAccount");
    await submitB2cForm(emulator, form, signup.url, {
      email,
      displayName: "R",
      password: "first-passw0rd",
    });

    const reset = await start(B2C.passwordReset);
    const done = await submitB2cForm(emulator, reset.page, reset.url, {
      email,
      password: "second-passw0rd",
    });
    const claims = decodeJwt((await reset.redeem(done.location)).idToken);
    expect(claims).toMatchObject({ tfp: B2C.passwordReset, emails: [email] });

    const old = await start(B2C.signUpSignIn);
    const refused = await submitB2cForm(emulator, old.page, old.url, {
      email,
      password: "first-passw0rd",
    });
    expect(refused.location).toBeUndefined();
    const fresh = await submitB2cForm(emulator, old.page, old.url, {
      email,
      password: "second-passw0rd",
    });
    expect(fresh.location).toMatch(/code=/);
  });

  it("edits the profile of the signed-in customer; the new ID token has the new name", async () => {
    const signin = await start(B2C.signUpSignIn);
    const email = `edit-${randomBytes(4).toString("hex")}@customers.example`;
    const form = await followB2cLink(emulator, signin.page, signin.url, "createAccount");
    const signed = await submitB2cForm(emulator, form, signin.url, {
      email,
      displayName: "Before",
      password: "edit-passw0rd",
    });
    const edit = await start(B2C.profileEdit, signed.sessionCookie);
    expect(edit.page.response.text()).toContain('value="Before"');
    const done = await submitB2cForm(emulator, edit.page, edit.url, { displayName: "After" });
    const claims = decodeJwt((await edit.redeem(done.location)).idToken);
    expect(claims).toMatchObject({ tfp: B2C.profileEdit, name: "After" });
  });

  it("sends AADB2C90091 when the customer cancels the profile edit", async () => {
    const edit = await start(B2C.profileEdit);
    const cancelled = await followB2cLink(emulator, edit.page, edit.url, "cancel");
    const back = new URL(cancelled.location ?? "");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("error_description")).toMatch(/^AADB2C90091: /);
  });

  it("redeems a policy's code at that policy only (AADB2C90088), never at the workforce endpoint", async () => {
    const { page, url } = await start(B2C.signUpSignIn);
    const back = await submitB2cForm(emulator, page, url, {
      email: B2C.customerEmail,
      password: B2C.customerPassword,
    });
    const code = new URL(back.location ?? "").searchParams.get("code") ?? "";
    const body = new URLSearchParams({
      grant_type: "authorization_code",
      client_id: B2C.webApp,
      client_secret: B2C.webAppSecret,
      redirect_uri: REDIRECT_URI,
      scope: "openid",
      code,
    });
    const workforce = await request(
      `${emulator.urls.https}/${defaults.contoso}/oauth2/v2.0/token`,
      {
        ca: emulator.caCertPem,
        body,
      },
    );
    expect(workforce.status).toBe(400);
    const other = await request(`${authority(B2C.profileEdit)}/oauth2/v2.0/token`, {
      ca: emulator.caCertPem,
      body,
    });
    expect(other.status).toBe(400);
    expect(other.json<{ error_description: string }>().error_description).toMatch(/^AADB2C90088: /);
  });

  it("answers the policy's claim in acr when the tenant says so", async () => {
    const other = await startEmulator({
      directory: {
        tenants: [
          {
            id: "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d",
            kind: "b2c",
            domain: "acr.onmicrosoft.com",
            displayName: "acr",
            b2c: { userFlows: [{ name: "B2C_1_susi", type: "signUpSignIn" }], policyClaim: "acr" },
            apps: [
              {
                clientId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                displayName: "a",
                secrets: ["acr-test-secret-value"],
                redirectUris: [REDIRECT_URI],
              },
            ],
            users: [
              {
                id: "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
                userPrincipalName: "u@acr.onmicrosoft.com",
                displayName: "U",
                mail: "u@acr.example",
                password: "u-passw0rd",
              },
            ],
          },
        ],
      },
    });
    try {
      const url = new URL(
        `${other.urls.http}/acr.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize`,
      );
      url.search = new URLSearchParams({
        client_id: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        redirect_uri: REDIRECT_URI,
        response_type: "code",
        scope: "openid",
      }).toString();
      const page = await openB2cPage(other, url);
      const back = await submitB2cForm(other, page, url, {
        email: "u@acr.example",
        password: "u-passw0rd",
      });
      const token = await request(
        `${other.urls.https}/acr.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/token`,
        {
          ca: other.caCertPem,
          body: new URLSearchParams({
            grant_type: "authorization_code",
            client_id: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
            client_secret: "acr-test-secret-value",
            redirect_uri: REDIRECT_URI,
            code: new URL(back.location ?? "").searchParams.get("code") ?? "",
          }),
        },
      );
      const claims = decodeJwt(token.json<{ id_token: string }>().id_token);
      expect(claims.acr).toBe("B2C_1_susi");
      expect(claims.tfp).toBeUndefined();
    } finally {
      await other.stop();
    }
  });
});
