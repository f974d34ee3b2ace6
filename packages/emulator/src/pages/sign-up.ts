/** The External ID sign-up pages: the customer's details, then the e-mailed one-time code. */
import type { Tenant } from "../config/schema.js";
import { html, page } from "./html.js";

export function signUpPage(options: {
  readonly requestId: string;
  readonly tenant: Tenant;
  readonly action: string;
  /** Whether the account gets a password (not when the tenant signs in with one-time codes). */
  readonly askPassword: boolean;
  readonly problem?: string | undefined;
  readonly email?: string | undefined;
  readonly displayName?: string | undefined;
}): string {
  return page(
    "Create account",
    html`<h1>Create account</h1>
<p>for <strong>${options.tenant.displayName}</strong></p>
${options.problem ? html`<p class="error" role="alert">${options.problem}</p>` : ""}
<form method="post" action="${options.action}">
<input type="hidden" name="request" value="${options.requestId}">
<p><label>E-mail address<br><input type="email" name="email" autocomplete="email" required value="${options.email ?? ""}"></label></p>
${options.askPassword ? html`<p><label>Password<br><input type="password" name="password" autocomplete="new-password" required minlength="8"></label></p>` : ""}
<p><label>Display name<br><input type="text" name="displayName" autocomplete="name" required value="${options.displayName ?? ""}"></label></p>
<p><button type="submit" id="sign-up-next">Next</button></p>
</form>
<p class="muted">We will send a one-time code to this address to make sure it is yours.</p>`,
  );
}

export function signUpCodePage(options: {
  readonly signUpId: string;
  readonly email: string;
  readonly code: string;
  readonly action: string;
  readonly problem?: string | undefined;
}): string {
  return page(
    "Verify e-mail",
    html`<h1>Verify e-mail</h1>
<p>Enter the code we sent to <strong>${options.email}</strong>.</p>
${options.problem ? html`<p class="error" role="alert">${options.problem}</p>` : ""}
<form method="post" action="${options.action}">
<input type="hidden" name="signup" value="${options.signUpId}">
<p><label>Code<br><input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required></label></p>
<p><button type="submit" id="sign-up-verify">Verify</button></p>
</form>
<p class="muted">This emulator sends no e-mail: the code is <code id="emulator-code">${options.code}</code> (also from the control API: GET /_emulator/control/sign-up-codes/{email}).</p>`,
  );
}
