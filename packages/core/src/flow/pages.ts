import type { EntranceError } from "../errors/entrance-error.js";
import type { Explanation } from "../errors/explanations.js";
import { html, type Interpolation, raw } from "../http/html.js";
import { entrancePageHeaders } from "../http/security-headers.js";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f5f5f5;color:#1b1b1b}
main{background:#fff;max-width:36rem;margin:1rem;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgb(0 0 0/.15)}
h1{font-size:1.4rem;margin:0 0 1rem}code{background:#f0f0f0;padding:0 .25rem;border-radius:3px;overflow-wrap:anywhere}
.fix{border-left:4px solid #0f6cbd;padding:.25rem .75rem;background:#f0f6fc}a.button,button.button{display:inline-block;font:inherit;border:0;cursor:pointer;margin-top:1rem;padding:.5rem 1rem;background:#0f6cbd;color:#fff;border-radius:4px;text-decoration:none}`;

/**
 * Security headers of Entrance's pages that post no form off the site (the sign-out confirmation
 * adds the identity provider's origin to `form-action`).
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze(
  entrancePageHeaders([]),
);

const TITLES: Partial<Record<EntranceError["code"], string>> = {
  sign_in_refused: "This app did not let you sign in",
  sign_in_hook_failed: "This app could not finish your sign-in",
  user_disabled: "Your account is disabled in this app",
  tenant_not_allowed: "Your organization cannot sign in to this app",
  identity_provider_unavailable: "Microsoft sign-in could not be reached",
  login_transaction_missing: "This sign-in link has expired or was already used",
  browser_binding_mismatch: "This sign-in was started in another browser",
  sign_in_busy: "Too many sign-ins right now",
  too_many_sign_ins: "Too many sign-ins from your network",
  groups_unavailable: "Your groups could not be read",
  store_unavailable: "This app is briefly unavailable",
  graph_token_rejected: "Microsoft Graph refused this app's access",
};

/** A small page of Entrance's own: title, body, Entrance's style. */
function page(title: string, body: Interpolation): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${raw(STYLE)}</style></head><body><main>
<h1>${title}</h1>
${body}
</main></body></html>`.value;
}

/** The 403 page of a guard: what is missing, and who the user is signed in as. */
export function forbiddenPage(
  user: { displayName: string | null; username: string | null; roles: readonly string[] },
  message: string,
): string {
  const who = user.displayName ?? user.username ?? "you";
  const roles = user.roles.length ? user.roles.join(", ") : "none";
  return page(
    "You don't have access to this page",
    html`<p id="missing">${message}</p>
<p>You are signed in as ${who}; your app roles: ${roles}. Ask an administrator for access.</p>
<p><a href="/">Home</a></p>`,
  );
}

/** When the user's sign-in can no longer act for them (refresh token revoked or expired). */
export function signInAgainPage(loginUrl: string): string {
  return page(
    "Please sign in again",
    html`<p id="message">Your Microsoft sign-in for this app has expired or was revoked, so it can no longer act on your behalf.</p>
<p><a class="button" id="sign-in-again" href="${loginUrl}">Sign in again</a></p>`,
  );
}

/** The sign-in error page: what happened, Entra's code explained, and a way to try again. */
export function errorPage(
  error: EntranceError,
  explanation: Explanation | undefined,
  retryUrl: string,
): string {
  return page(
    TITLES[error.code] ?? "Sign-in did not complete",
    html`<p id="message">${error.message}</p>${
      error.aadsts ? html`<p>Microsoft Entra ID said <code>AADSTS${error.aadsts}</code>.</p>` : ""
    }${
      explanation
        ? html`<p>${explanation.meaning}</p><p class="fix"><strong>How to fix it:</strong> ${explanation.fix}</p>`
        : ""
    }
<p><small>Error code: <code>${error.code}</code></small></p>
<a class="button" href="${retryUrl}">Try signing in again</a>`,
  );
}

/**
 * The page a sign-in popup ends on: tells its opener and closes, or carries on without one.
 * `cancelled`: the person left the sign-in (B2C's Cancel); the opener hears `entrance:cancelled`,
 * not `entrance:signed-in`, so it does not reload as if someone had signed in.
 */
export function popupCompletePage(
  returnTo: string,
  scriptUrl: string,
  outcome: "signed-in" | "cancelled" = "signed-in",
): string {
  const cancelled = outcome === "cancelled";
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${cancelled ? "Sign-in cancelled" : "Signed in"}</title>
<script src="${scriptUrl}" defer></script></head>
<body data-entrance-outcome="${outcome}"><p>${cancelled ? "Sign-in cancelled." : "Signed in."} <a id="continue" href="${returnTo}">Continue</a></p></body></html>`
    .value;
}

/**
 * The browser script behind "Sign in with a popup": a link with `data-entrance-popup` opens the
 * sign-in in a popup window and the page reloads when it completes; if the popup is blocked the
 * link is followed as a normal redirect.
 */
export const POPUP_SCRIPT = `(function () {
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest("a[data-entrance-popup]");
    if (!link) return;
    var url = new URL(link.href, location.href);
    url.searchParams.set("popup", "1");
    var popup = window.open(url.href, "entrance-sign-in", "popup,width=520,height=680");
    if (!popup) return;
    event.preventDefault();
    window.addEventListener("message", function done(message) {
      if (message.origin !== location.origin || !message.data || message.data.type !== "entrance:signed-in") return;
      window.removeEventListener("message", done);
      location.reload();
    });
  });
})();
`;

/** Runs in the popup when sign-in completes, or was cancelled (the page's outcome says which). */
export const POPUP_COMPLETE_SCRIPT = `(function () {
  var link = document.getElementById("continue");
  var cancelled = document.body.getAttribute("data-entrance-outcome") === "cancelled";
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage({ type: cancelled ? "entrance:cancelled" : "entrance:signed-in" }, location.origin);
    window.close();
  } else if (link) {
    location.replace(link.href);
  }
})();
`;

/** Asked by GET /auth/logout: sign-out is a POST, so another site cannot sign people out. */
export function logoutConfirmPage(action: string): string {
  return page(
    "Sign out?",
    html`<form method="post" action="${action}"><button class="button" type="submit" autofocus>Sign out</button></form>`,
  );
}
