/**
 * The sign-in pages of an External ID tenant whose user flow signs customers in with an e-mail
 * one-time passcode: the e-mail address, then the code sent to it.
 */
import type { AppRegistration, Tenant } from "../config/schema.js";
import { html, page } from "./html.js";

/** The first page: which address to send the code to. */
export function emailOtpSignInPage(options: {
  readonly requestId: string;
  readonly tenant: Tenant;
  readonly app: AppRegistration | undefined;
  readonly action: string;
  readonly signUpHref: string | undefined;
  readonly problem?: string | undefined;
  readonly email?: string | undefined;
}): string {
  return page(
    "Sign in",
    html`<h1>Sign in</h1>
<p>${options.app ? html`to continue to <strong>${options.app.displayName}</strong>` : html`to <strong>${options.tenant.displayName}</strong>`}</p>
${options.problem ? html`<p class="error" role="alert" id="sign-in-problem">${options.problem}</p>` : ""}
<form method="post" action="${options.action}">
<input type="hidden" name="request" value="${options.requestId}">
<p><label>E-mail address<br><input type="email" name="email" autocomplete="email" required value="${options.email ?? ""}"></label></p>
<p><button type="submit" id="otp-send">Send code</button></p>
</form>
${options.signUpHref ? html`<p>No account? <a id="sign-up" href="${options.signUpHref}">Create one</a></p>` : ""}
<p class="muted">This tenant signs customers in with a one-time passcode sent to their e-mail address: no password.</p>`,
  );
}

/** The second page: the code, which the emulator shows instead of mailing it. */
export function emailOtpCodePage(options: {
  readonly requestId: string;
  readonly stepId: string;
  readonly email: string;
  readonly code: string;
  readonly action: string;
  readonly problem?: string | undefined;
}): string {
  return page(
    "Enter code",
    html`<h1>Enter code</h1>
<p>We sent a code to <strong>${options.email}</strong>.</p>
${options.problem ? html`<p class="error" role="alert" id="sign-in-problem">${options.problem}</p>` : ""}
<form method="post" action="${options.action}">
<input type="hidden" name="request" value="${options.requestId}">
<input type="hidden" name="otp" value="${options.stepId}">
<p><label>Code<br><input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required></label></p>
<p><button type="submit" id="otp-sign-in">Sign in</button></p>
</form>
<p class="muted">This emulator sends no e-mail: the code is <code id="emulator-code">${options.code}</code> (also from the control API: GET /_emulator/control/one-time-codes/{email}).</p>`,
  );
}
