import type { RunningEmulator } from "../emulator.js";
import { request } from "./http-client.js";
import { hiddenField, redirectToApp } from "./page-steps.js";
import type { AppRedirect } from "./sign-in.js";

/**
 * Signs a customer in through the real pages of an External ID tenant whose user flow uses e-mail
 * one-time passcodes, over HTTP, as a person with a browser would: opens the authorize URL, gives
 * the address, reads the code from the control API as the customer would from the e-mail, and
 * enters it. Returns where the emulator sent the browser and its session cookie; any other
 * answer (an error page, a consent page) throws with what the emulator showed.
 */
export async function signInWithEmailOtp(
  emulator: RunningEmulator,
  authorizeUrl: string | URL,
  email: string,
): Promise<AppRedirect> {
  const origin = new URL(authorizeUrl).origin;
  const ca = emulator.caCertPem;
  let page = await request(authorizeUrl, { ca });
  page = await request(new URL("/_emulator/email-otp", origin), {
    ca,
    body: new URLSearchParams({
      request: hiddenField(page, "request", "an e-mail sign-in page"),
      email,
    }),
  });
  const requestId = hiddenField(page, "request", "an e-mail sign-in page");
  const otp = hiddenField(page, "otp", "an e-mail sign-in page");
  const code = emulator.control.oneTimeCode(email);
  if (!code) throw new Error(`no one-time code was sent to ${email}`);
  page = await request(new URL("/_emulator/email-otp/code", origin), {
    ca,
    body: new URLSearchParams({ request: requestId, otp, code }),
  });
  return redirectToApp(page, "sign-in");
}
