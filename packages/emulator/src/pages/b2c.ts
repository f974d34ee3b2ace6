/**
 * The pages of an Azure AD B2C tenant's user flows: sign-in (with "Forgot your password?" and
 * "Sign up now"), sign-up, password reset and profile edit. Every form carries the pending
 * request's id; the links that end a flow without a token (forgot, cancel) go back to the app
 * with B2C's error codes.
 */
import type { AppRegistration, Tenant } from "../config/schema.js";
import { type Html, html, page } from "./html.js";

/** Where the B2C pages post and link to, on the emulator's pages origin. */
export const B2C_ACTIONS = {
  signIn: "/_emulator/b2c/sign-in",
  signUp: "/_emulator/b2c/sign-up",
  reset: "/_emulator/b2c/reset",
  profile: "/_emulator/b2c/profile",
  forgot: "/_emulator/b2c/forgot",
  cancel: "/_emulator/b2c/cancel",
} as const;

/** The B2C forms' layout, appended to the emulator's stylesheet. */
export const B2C_STYLE = [
  ".b2c label{display:block;margin:.75rem 0;font-weight:600}",
  ".b2c input{display:block;width:100%;margin-top:.25rem;padding:.45rem;font:inherit}",
  ".b2c button{margin-top:.5rem}",
].join("\n");

interface PageBase {
  readonly requestId: string;
  readonly app: AppRegistration;
  readonly tenant: Tenant;
  readonly error?: string | undefined;
}

function linkTo(action: string, requestId: string): string {
  return `${action}?request=${encodeURIComponent(requestId)}`;
}

function errorLine(error: string | undefined): Html | string {
  return error ? html`<p class="error" role="alert">${error}</p>` : "";
}

function requestField(requestId: string): Html {
  return html`<input type="hidden" name="request" value="${requestId}">`;
}

/** The sign-up/sign-in policy's page (and the sign-in step of profile edit). */
export function b2cSignInPage(
  options: PageBase & { readonly email?: string | undefined; readonly signUp: boolean },
): string {
  return page(
    "Sign in",
    html`<h1>Sign in</h1>
<p>with your e-mail address, to continue to <strong>${options.app.displayName}</strong> (${options.tenant.displayName})</p>
${errorLine(options.error)}
<div class="b2c"><form method="post" action="${B2C_ACTIONS.signIn}">
${requestField(options.requestId)}
<label>E-mail address <input type="email" name="email" autocomplete="username" required value="${options.email ?? ""}"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<p><a href="${linkTo(B2C_ACTIONS.forgot, options.requestId)}" id="forgotPassword">Forgot your password?</a></p>
<button type="submit" id="next">Sign in</button>
</form></div>
${
  options.signUp
    ? html`<p>Don't have an account? <a href="${linkTo(B2C_ACTIONS.signUp, options.requestId)}" id="createAccount">Sign up now</a></p>`
    : html`<p><a href="${linkTo(B2C_ACTIONS.cancel, options.requestId)}" id="cancel">Cancel</a></p>`
}
<p class="muted">Azure AD B2C, emulated: local accounts sign in with their e-mail address and password.</p>`,
  );
}

export function b2cSignUpPage(
  options: PageBase & { readonly email?: string | undefined; readonly name?: string | undefined },
): string {
  return page(
    "Sign up",
    html`<h1>Create your account</h1>
${errorLine(options.error)}
<div class="b2c"><form method="post" action="${B2C_ACTIONS.signUp}">
${requestField(options.requestId)}
<label>E-mail address <input type="email" name="email" autocomplete="username" required value="${options.email ?? ""}"></label>
<label>Display name <input type="text" name="displayName" autocomplete="name" required value="${options.name ?? ""}"></label>
<label>New password <input type="password" name="password" autocomplete="new-password" required></label>
<button type="submit" id="continue">Create</button>
</form></div>
<p><a href="${linkTo(B2C_ACTIONS.cancel, options.requestId)}" id="cancel">Cancel</a></p>`,
  );
}

export function b2cResetPage(options: PageBase & { readonly email?: string | undefined }): string {
  return page(
    "Reset your password",
    html`<h1>Reset your password</h1>
<p class="muted">The real service first sends a verification code to the address; the emulator trusts it.</p>
${errorLine(options.error)}
<div class="b2c"><form method="post" action="${B2C_ACTIONS.reset}">
${requestField(options.requestId)}
<label>E-mail address <input type="email" name="email" autocomplete="username" required value="${options.email ?? ""}"></label>
<label>New password <input type="password" name="password" autocomplete="new-password" required></label>
<button type="submit" id="continue">Continue</button>
</form></div>
<p><a href="${linkTo(B2C_ACTIONS.cancel, options.requestId)}" id="cancel">Cancel</a></p>`,
  );
}

export function b2cProfilePage(options: PageBase & { readonly displayName: string }): string {
  return page(
    "Edit your profile",
    html`<h1>Edit your profile</h1>
${errorLine(options.error)}
<div class="b2c"><form method="post" action="${B2C_ACTIONS.profile}">
${requestField(options.requestId)}
<label>Display name <input type="text" name="displayName" autocomplete="name" required value="${options.displayName}"></label>
<button type="submit" id="continue">Continue</button>
</form></div>
<p><a href="${linkTo(B2C_ACTIONS.cancel, options.requestId)}" id="cancel">Cancel</a></p>`,
  );
}
