import type { RunningEmulator } from "../emulator.js";
import { request } from "./http-client.js";
import { hiddenField, redirectToApp } from "./page-steps.js";
import type { AppRedirect } from "./sign-in.js";

/** A customer signing up in an External ID tenant. */
export interface SignUpOptions {
  readonly email: string;
  /** Left out in a tenant whose customers sign in with an e-mail one-time passcode. */
  readonly password?: string;
  readonly displayName: string;
}

/**
 * Signs a new customer up through an External ID tenant's real pages over HTTP, as a person with a
 * browser would: opens the authorize URL (with `prompt=create`, or follows the sign-in page's
 * "Create one" link), fills in the form, reads the one-time code from the control API as the
 * customer would from the e-mail, and enters it. Returns where the emulator sent the browser.
 */
export async function signUpOnPages(
  emulator: RunningEmulator,
  authorizeUrl: string | URL,
  options: SignUpOptions,
): Promise<AppRedirect> {
  const origin = new URL(authorizeUrl).origin;
  const ca = emulator.caCertPem;
  let page = await request(authorizeUrl, { ca });
  const link = /<a id="sign-up" href="([^"]+)"/.exec(page.text())?.[1];
  if (link) page = await request(new URL(link.replaceAll("&amp;", "&"), origin), { ca });
  const requestId = hiddenField(page, "request", "the sign-up page");
  page = await request(new URL("/_emulator/sign-up", origin), {
    ca,
    body: new URLSearchParams({ request: requestId, ...options }),
  });
  const signup = hiddenField(page, "signup", "the sign-up page");
  const code = emulator.control.signUpCode(options.email);
  if (!code) throw new Error(`no one-time code was sent to ${options.email}`);
  page = await request(new URL("/_emulator/sign-up/code", origin), {
    ca,
    body: new URLSearchParams({ signup, code }),
  });
  return redirectToApp(page, "sign-up");
}
