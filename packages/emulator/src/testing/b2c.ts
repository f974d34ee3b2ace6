/**
 * Walking an Azure AD B2C tenant's user-flow pages over HTTP, as a browser would: follow the
 * authorize URL, fill a form, follow a link ("Forgot your password?", "Sign up now", "Cancel").
 */
import type { RunningEmulator } from "../emulator.js";
import { type RawResponse, request } from "./http-client.js";

/** Where a B2C page sent the browser, or the next page it showed, and the session cookie. */
export interface B2cStep {
  readonly response: RawResponse;
  /** The redirect's target when the flow went back to the app. */
  readonly location: string | undefined;
  /** The emulator's session cookie (`name=value`), the newest one seen. */
  readonly sessionCookie: string | undefined;
}

function origin(url: string | URL): string {
  return new URL(url).origin;
}

function step(response: RawResponse, cookie: string | undefined): B2cStep {
  const set = response.headers["set-cookie"]?.[0]?.split(";")[0];
  return {
    response,
    location: response.status === 302 ? response.headers.location : undefined,
    sessionCookie: set ?? cookie,
  };
}

/** Opens a URL on the emulator's pages (the authorize URL, a link), with the session cookie. */
export async function openB2cPage(
  emulator: RunningEmulator,
  url: string | URL,
  cookie?: string,
): Promise<B2cStep> {
  const response = await request(url, {
    ca: emulator.caCertPem,
    ...(cookie ? { headers: { cookie } } : {}),
  });
  return step(response, cookie);
}

/** Submits the page's form to `action`-ending path with `fields` (the request id is kept). */
export async function submitB2cForm(
  emulator: RunningEmulator,
  page: B2cStep,
  pageUrl: string | URL,
  fields: Readonly<Record<string, string>>,
): Promise<B2cStep> {
  const html = page.response.text();
  const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
  if (!form?.[1]) throw new Error(`no form on the B2C page (HTTP ${page.response.status})`);
  const request_ = /name="request" value="([^"]*)"/.exec(form[2] ?? "")?.[1] ?? "";
  const body = new URLSearchParams({ request: request_, ...fields });
  const response = await request(new URL(form[1], origin(pageUrl)), {
    ca: emulator.caCertPem,
    body,
    ...(page.sessionCookie ? { headers: { cookie: page.sessionCookie } } : {}),
  });
  return step(response, page.sessionCookie);
}

/** Follows the link with `id` on a B2C page (`forgotPassword`, `createAccount`, `cancel`). */
export async function followB2cLink(
  emulator: RunningEmulator,
  page: B2cStep,
  pageUrl: string | URL,
  id: string,
): Promise<B2cStep> {
  const match = new RegExp(`<a href="([^"]+)" id="${id}">`).exec(page.response.text());
  if (!match?.[1]) throw new Error(`no link #${id} on the B2C page`);
  const href = match[1].replaceAll("&amp;", "&");
  return openB2cPage(emulator, new URL(href, origin(pageUrl)), page.sessionCookie);
}
