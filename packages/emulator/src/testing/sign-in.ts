import { createHash, randomBytes } from "node:crypto";
import { defaults } from "../config/default-directory.js";
import type { RunningEmulator } from "../emulator.js";
import { type RawResponse, request } from "./http-client.js";

/** Tokens from a completed sign-in. */
export interface SignInResult {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
  readonly clientInfo: string;
  readonly scope: string;
  /** The emulator's session cookie (`name=value`), for a second, silent sign-in. */
  readonly sessionCookie: string | undefined;
}

export interface SignInOptions {
  /** User principal name or object id of the account to pick on the sign-in page. */
  readonly user: string;
  readonly scopes?: readonly string[];
  /** Default: the built-in web app (its secret and first redirect URI). */
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly redirectUri?: string;
  /** Tenant GUID, domain or alias of the authority; default `organizations`. */
  readonly tenant?: string;
  /** Accept the consent page if it is shown (default true). */
  readonly consent?: boolean;
}

/**
 * Signs a user in through the emulator's real pages over HTTP, as a person with a browser would
 * (authorize, pick the account, consent), and redeems the code with PKCE. For tests that need
 * real tokens without a browser.
 */
export async function signInWithoutBrowser(
  emulator: RunningEmulator,
  options: SignInOptions,
): Promise<SignInResult> {
  const clientId = options.clientId ?? defaults.webApp;
  const redirectUri = options.redirectUri ?? "http://localhost:3000/auth/callback";
  const tenant = options.tenant ?? "organizations";
  const scopes = [...new Set([...(options.scopes ?? []), "openid", "profile", "offline_access"])];
  const verifier = randomBytes(32).toString("base64url");
  const state = randomBytes(16).toString("base64url");
  const authorize = new URL(`${emulator.urls.pages}/${tenant}/oauth2/v2.0/authorize`);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: scopes.join(" "),
    state,
    nonce: randomBytes(16).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    prompt: "login",
  }).toString();

  const redirect = await pickAccount(emulator, authorize, options);
  const back = new URL(redirect.location);
  if (back.searchParams.get("state") !== state) throw new Error("the state did not come back");
  const code = back.searchParams.get("code");
  if (!code)
    throw new Error(
      `the emulator answered ${back.searchParams.get("error_description") ?? redirect.location}`,
    );

  const token = await request(`${emulator.urls.https}/${tenant}/oauth2/v2.0/token`, {
    ca: emulator.caCertPem,
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: clientId,
      client_secret: options.clientSecret ?? defaults.webAppSecret,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      scope: scopes.join(" "),
      client_info: "1",
    }),
  });
  const body = token.json<Record<string, string>>();
  if (token.status !== 200) throw new Error(`token request failed: ${body.error_description}`);
  return {
    accessToken: body.access_token ?? "",
    idToken: body.id_token ?? "",
    refreshToken: body.refresh_token ?? "",
    clientInfo: body.client_info ?? "",
    scope: body.scope ?? "",
    sessionCookie: redirect.sessionCookie,
  };
}

/** Where the emulator sent the browser back to, and its session cookie. */
export interface AppRedirect {
  /** The redirect URI with the response parameters (code and state, or error). */
  readonly location: string;
  readonly sessionCookie: string | undefined;
}

/**
 * How the emulator sends the browser back to the app: a redirect (`response_mode` query or
 * fragment), or a form the browser posts (`form_post`).
 */
export type BackToApp =
  | { readonly kind: "redirect"; readonly location: string }
  | { readonly kind: "form_post"; readonly action: string; readonly fields: URLSearchParams };

/**
 * Opens an authorize URL — on the emulator's http pages as it advertises them, or on https
 * (trusting its CA) where an app asks for that — picks the user on the sign-in page and accepts
 * consent if asked: what a person does in the browser, done over HTTP. Returns how the emulator
 * sends the browser back, and its session cookie.
 */
export async function signInOnPages(
  emulator: RunningEmulator,
  authorizeUrl: string | URL,
  options: { readonly user: string; readonly consent?: boolean },
): Promise<{ readonly back: BackToApp; readonly sessionCookie: string | undefined }> {
  const user = emulator.directory.user(options.user);
  if (!user) throw new Error(`no user ${options.user} in the emulator's directory`);
  const origin = new URL(authorizeUrl).origin;
  const ca = emulator.caCertPem;
  let res = await request(authorizeUrl, { ca });
  res = await submitForm(origin, ca, res, `name="user" value="${user.value.id}"`, undefined);
  const sessionCookie = setCookie(res);
  if (res.status === 200 && res.text().includes('name="decision"')) {
    if (options.consent === false) throw new Error("the emulator asks for consent");
    res = await submitForm(origin, ca, res, 'name="request"', sessionCookie, {
      decision: "accept",
    });
  }
  const location = res.headers.location;
  if (res.status === 302 && location)
    return { back: { kind: "redirect", location }, sessionCookie };
  const emulatorOrigins = [emulator.urls.http, emulator.urls.https].map((u) => new URL(u).origin);
  const form =
    res.status === 200
      ? formsOf(res).find(
          (f) => !emulatorOrigins.includes(new URL(f.action, emulator.urls.http).origin),
        )
      : undefined;
  if (form) {
    return { back: { kind: "form_post", action: form.action, fields: form.fields }, sessionCookie };
  }
  throw new Error(
    `sign-in did not return to the app (HTTP ${res.status}): ${res.text().slice(0, 500)}`,
  );
}

/**
 * {@link signInOnPages} for an app that takes the answer by redirect (MSAL's default query mode):
 * where the emulator sent the browser, and its session cookie.
 */
export async function pickAccount(
  emulator: RunningEmulator,
  authorizeUrl: string | URL,
  options: { readonly user: string; readonly consent?: boolean },
): Promise<AppRedirect> {
  const { back, sessionCookie } = await signInOnPages(emulator, authorizeUrl, options);
  if (back.kind !== "redirect") {
    throw new Error(`sign-in returned to the app by form_post, not a redirect: ${back.action}`);
  }
  return { location: back.location, sessionCookie };
}

interface Form {
  readonly html: string;
  readonly action: string;
  readonly fields: URLSearchParams;
}

/** The post forms of an emulator page, with their hidden fields decoded. */
function formsOf(page: RawResponse): Form[] {
  const forms = page.text().match(/<form method="post" action="[^"]+">[\s\S]*?<\/form>/g) ?? [];
  return forms.map((html) => {
    const fields = new URLSearchParams();
    for (const [, name = "", value = ""] of html.matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    )) {
      fields.set(name, decodeEntities(value));
    }
    return { html, action: decodeEntities(/action="([^"]+)"/.exec(html)?.[1] ?? ""), fields };
  });
}

/** Finds the form on an emulator page (served from `origin`) that contains `marker`; submits it. */
async function submitForm(
  origin: string,
  ca: string,
  page: RawResponse,
  marker: string,
  cookie: string | undefined,
  extra: Record<string, string> = {},
): Promise<RawResponse> {
  if (page.status !== 200) {
    throw new Error(
      `expected an emulator page, got HTTP ${page.status} ${page.headers.location ?? ""}`,
    );
  }
  const form = formsOf(page).find((f) => f.html.includes(marker));
  if (!form) throw new Error(`no form with ${marker} on the emulator's page`);
  for (const [name, value] of Object.entries(extra)) form.fields.set(name, value);
  return request(new URL(form.action, origin), {
    ca,
    body: form.fields,
    ...(cookie ? { headers: { cookie } } : {}),
  });
}

function setCookie(res: RawResponse): string | undefined {
  return res.headers["set-cookie"]?.[0]?.split(";")[0];
}

function decodeEntities(value: string): string {
  return value
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
