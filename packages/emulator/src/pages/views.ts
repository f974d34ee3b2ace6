import type { AppRegistration, Tenant, User } from "../config/schema.js";
import { type Html, html, page } from "./html.js";

/** One account on the sign-in page. */
export interface AccountChoice {
  readonly user: User;
  readonly tenant: Tenant;
  readonly groupCount: number;
  readonly roles: readonly string[];
}

const COLOURS = ["#0f6cbd", "#8764b8", "#038387", "#ca5010", "#498205", "#c239b3", "#4f6bed"];

function avatar(user: User): Html {
  const initials = [user.givenName ?? user.displayName, user.surname ?? ""]
    .map((part) => part.trim()[0] ?? "")
    .join("")
    .toUpperCase();
  let sum = 0;
  for (const char of user.id) sum = (sum + char.charCodeAt(0)) % 997;
  return html`<span class="avatar avatar-${sum % COLOURS.length}" aria-hidden="true">${initials}</span>`;
}

/** Avatar colours, appended to the stylesheet (inline styles are not allowed by the CSP). */
export const AVATAR_STYLE = COLOURS.map((colour, i) => `.avatar-${i}{background:${colour}}`).join(
  "\n",
);

export function signInPage(options: {
  readonly requestId: string;
  readonly app: AppRegistration;
  readonly accounts: readonly AccountChoice[];
  readonly hint: string | undefined;
  readonly action: string;
  /** An External ID tenant's sign-up page for this request. */
  readonly signUpHref?: string | undefined;
}): string {
  const hint = options.hint?.toLowerCase();
  const items = options.accounts.map(({ user, tenant, groupCount, roles }) => {
    const hinted =
      hint !== undefined &&
      (user.userPrincipalName.toLowerCase() === hint || user.mail?.toLowerCase() === hint);
    return html`<li class="${hinted ? "hinted" : ""}">
<form method="post" action="${options.action}">
<input type="hidden" name="request" value="${options.requestId}">
<input type="hidden" name="user" value="${user.id}">
<button type="submit" data-upn="${user.userPrincipalName}"${hinted ? html` autofocus` : ""}>
${avatar(user)}
<span class="who"><span class="name">${user.displayName}</span><span class="upn">${user.userPrincipalName}</span></span>
<span class="badges">
${roles.map((role) => html`<span class="badge">${role}</span>`)}
${user.userType === "Guest" ? html`<span class="badge">guest</span>` : ""}
${groupCount > 200 ? html`<span class="badge">${groupCount} groups</span>` : ""}
${user.photo ? "" : html`<span class="badge">no photo</span>`}
<span class="badge">${tenant.domain.split(".")[0]}</span>
</span>
</button>
</form>
</li>`;
  });
  return page(
    "Sign in to your account",
    html`<h1>Pick an account</h1>
<p>to continue to <strong>${options.app.displayName}</strong></p>
${
  options.accounts.length
    ? html`<ul class="accounts" aria-label="Accounts">${items}</ul>`
    : html`<p class="error">No account in this directory can sign in here.</p>`
}
${options.signUpHref ? html`<p>No account? <a id="sign-up" href="${options.signUpHref}">Create one</a></p>` : ""}
<p class="muted">No password is asked: this emulator signs in whichever test user you pick.</p>`,
  );
}

export function consentPage(options: {
  readonly requestId: string;
  readonly app: AppRegistration;
  readonly publisherTenant: Tenant;
  readonly user: User;
  readonly scopes: readonly { readonly value: string; readonly description: string }[];
  readonly action: string;
}): string {
  return page(
    "Permissions requested",
    html`<h1>Permissions requested</h1>
<p><strong>${options.app.displayName}</strong> <span class="muted">(${options.publisherTenant.domain})</span></p>
<p class="muted">Signed in as ${options.user.userPrincipalName}</p>
<h2>This app would like to</h2>
<ul class="scopes">${options.scopes.map((s) => html`<li><span class="scope">${s.description}</span> <span class="muted">(${s.value})</span></li>`)}</ul>
<form method="post" action="${options.action}">
<input type="hidden" name="request" value="${options.requestId}">
<div class="actions">
<button class="button secondary" type="submit" name="decision" value="cancel">Cancel</button>
<button class="button" type="submit" name="decision" value="accept">Accept</button>
</div>
</form>`,
  );
}

export function errorPage(options: {
  readonly aadsts: number;
  readonly message: string;
  readonly traceId: string;
  readonly correlationId: string;
  readonly timestamp: string;
}): string {
  return page(
    "Sign in",
    html`<h1>Sorry, but we’re having trouble signing you in.</h1>
<p class="error" id="error-message">AADSTS${options.aadsts}: ${options.message}</p>
<dl class="details">
<dt>Request Id</dt><dd>${options.traceId}</dd>
<dt>Correlation Id</dt><dd>${options.correlationId}</dd>
<dt>Timestamp</dt><dd>${options.timestamp}</dd>
</dl>`,
  );
}

export function formPostPage(
  redirectUri: string,
  fields: Readonly<Record<string, string>>,
): string {
  return page(
    "Working...",
    html`<form method="post" action="${redirectUri}">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>Script is disabled. Press Continue to finish signing in.</p><button class="button" type="submit">Continue</button></noscript>
</form>`,
    { script: "form-post.js" },
  );
}

export function signedOutPage(options: {
  readonly frontchannelUrls: readonly string[];
  readonly continueTo: string | undefined;
}): string {
  return page(
    "Signed out",
    html`<h1>You signed out of your account</h1>
${
  options.continueTo
    ? html`<p>Returning you to the application… <a id="continue" href="${options.continueTo}">Continue</a></p>`
    : html`<p>It’s a good idea to close all browser windows.</p>`
}
${options.frontchannelUrls.map((url) => html`<iframe class="logout" title="sign-out" src="${url}"></iframe>`)}`,
    { script: "signed-out.js" },
  );
}
