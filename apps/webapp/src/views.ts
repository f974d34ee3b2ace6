import { DEFAULT_ADMIN_ROLE } from "@entrance/admin";
import { escapeHtml as escapeText, type UserRecord } from "@entrance/express";

/** What every page gets from Entrance through `res.locals`. */
export interface PageLocals {
  readonly user: UserRecord | null;
  readonly loginUrl: string;
  /** Sign-up for an Entra External ID app; the sign-in link for any other. */
  readonly signUpUrl: string;
  readonly logoutUrl: string;
  readonly popupScriptUrl: string;
  /** Azure AD B2C's profile edit (null without a profile-edit policy, or for Entra ID). */
  readonly profileUrl?: string | null;
}

/** Any value as escaped text: Entrance's one HTML escape, with null and undefined as "". */
export function escapeHtml(value: unknown): string {
  return escapeText(String(value ?? ""));
}

const STYLE = `
:root{color-scheme:light;--accent:#0f6cbd}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;background:#fafafa}
header{display:flex;gap:1rem;align-items:center;justify-content:space-between;padding:.75rem 1.5rem;background:#fff;border-bottom:1px solid #e0e0e0}
header a{color:inherit;text-decoration:none}.brand{font-weight:700}
nav{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
main{max-width:56rem;margin:2rem auto;padding:0 1.5rem}
.button{display:inline-block;padding:.55rem 1rem;border-radius:4px;background:var(--accent);color:#fff;text-decoration:none;border:1px solid var(--accent)}
form{margin:0}button.link{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer}
.button.secondary{background:#fff;color:var(--accent)}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin:1.5rem 0}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #eee;vertical-align:top}
th{width:14rem;color:#555;font-weight:600}td{overflow-wrap:anywhere}code{font-size:.9em}
`;

/** The page frame: header with who is signed in, and the popup script for any page. */
export function layout(locals: PageLocals, title: string, body: string): string {
  // A B2C customer has no Microsoft 365 mailbox: no Mail link; the profile edit instead.
  const customer = locals.user?.accountKind === "customer";
  const edit = locals.profileUrl
    ? `<a href="${escapeHtml(locals.profileUrl)}" id="edit-profile">Edit profile</a>`
    : "";
  const who = locals.user
    ? `<span id="who">${escapeHtml(locals.user.displayName ?? locals.user.username)}</span>
       <a href="/profile">Profile</a>${edit}${customer ? "" : `<a href="/mail">Mail</a>`}<a href="/tokens">Tokens</a>${locals.user.roles.includes(DEFAULT_ADMIN_ROLE) ? `<a href="/admin" id="admin-link">Admin</a>` : ""}
       <form method="post" action="${escapeHtml(locals.logoutUrl)}"><button class="link" type="submit" id="sign-out">Sign out</button></form>`
    : `<a class="button" href="${escapeHtml(locals.loginUrl)}" id="sign-in">Sign in with Microsoft</a>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Entrance</title>
<style>${STYLE}</style><script src="${escapeHtml(locals.popupScriptUrl)}" defer></script></head>
<body><header><a class="brand" href="/">Entrance reference app</a><nav>${who}</nav></header>
<main>${body}</main></body></html>`;
}

export function homePage(locals: PageLocals): string {
  const body = locals.user
    ? `<h1>Welcome, ${escapeHtml(locals.user.displayName)}</h1>
       <p>You are signed in with Microsoft Entra ID as <strong>${escapeHtml(locals.user.username)}</strong>.</p>
       <p>Account: <span id="account-kind">${escapeHtml(locals.user.accountKind ?? "member")}</span></p>
       <div class="actions"><a class="button" href="/profile">Your profile</a>
       <a class="button secondary" href="/api/me">/api/me (JSON)</a></div>`
    : `<h1>Sign in with Microsoft</h1>
       <p>This app signs people in with Microsoft Entra ID through Entrance. Without a tenant it runs against the local emulator: pick any test user.</p>
       <div class="actions">
         <a class="button" href="${escapeHtml(locals.loginUrl)}" id="sign-in-redirect">Sign in with Microsoft</a>
         <a class="button secondary" href="${escapeHtml(locals.loginUrl)}" data-entrance-popup id="sign-in-popup">Sign in with a popup</a>
         ${locals.signUpUrl !== locals.loginUrl ? `<a class="button secondary" href="${escapeHtml(locals.signUpUrl)}" id="sign-up">Create an account</a>` : ""}
       </div>`;
  return layout(locals, "Home", body);
}

function rows(entries: [string, unknown][]): string {
  return entries
    .map(([name, value]) => {
      const shown =
        value instanceof Date
          ? value.toISOString()
          : typeof value === "object"
            ? JSON.stringify(value)
            : value;
      return `<tr><th scope="row">${escapeHtml(name)}</th><td><code>${escapeHtml(shown)}</code></td></tr>`;
    })
    .join("");
}

/** What the profile page shows from Microsoft Graph. */
export interface GraphProfile {
  readonly me: Record<string, unknown> | null;
  readonly hasPhoto: boolean;
  /** The user's group ids: the token's, or resolved through Graph for group overage. */
  readonly groups: readonly string[];
}

export function profilePage(
  locals: PageLocals & { user: UserRecord },
  claims: Record<string, unknown> | undefined,
  graph: GraphProfile,
): string {
  const user = locals.user;
  const record: [string, unknown][] = [
    ["Tenant id (tid)", user.tenantId],
    ["Object id (oid)", user.objectId],
    ["Display name", user.displayName],
    ["Username", user.username],
    ["E-mail", user.mail],
    ["App roles", user.roles],
    [
      "Groups",
      user.groupsOverage
        ? `${graph.groups.length} groups, resolved through Microsoft Graph (the token carried the overage marker)`
        : user.groups,
    ],
    ["First sign-in", user.firstSignInAt],
    ["Last sign-in", user.lastSignInAt],
  ];
  const claimRows = claims
    ? `<table id="claims">${rows(Object.entries(claims))}</table>`
    : `<p>The claims are kept in memory by this app's <code>onSignIn</code> hook; sign in again to see them.</p>`;
  return layout(
    locals,
    "Profile",
    `<h1>Your profile</h1>
     ${graph.hasPhoto ? `<img id="photo" src="/profile/photo" alt="Your photo" width="96" height="96">` : user.accountKind === "customer" ? "" : `<p id="no-photo">No photo in Microsoft 365.</p>`}
     <h2>Microsoft Graph /me</h2>${graph.me ? `<table id="graph-me">${rows(Object.entries(graph.me).filter(([k]) => !k.startsWith("@")))}</table>` : user.accountKind === "customer" ? `<p id="no-graph">Azure AD B2C gives its customers no Microsoft Graph: this page shows the ID token only.</p>` : "<p>Graph could not be reached.</p>"}
     <h2>User record</h2><table id="user">${rows(record)}</table>
     <h2>ID token claims</h2>${claimRows}`,
  );
}

export function mailPage(locals: PageLocals, messages: readonly Record<string, unknown>[]): string {
  const items = messages
    .map((m) => {
      const from =
        (m.from as { emailAddress?: { name?: string } } | undefined)?.emailAddress?.name ?? "";
      return `<tr><td>${escapeHtml(m.receivedDateTime)}</td><td>${escapeHtml(from)}</td><td>${escapeHtml(m.subject)}</td></tr>`;
    })
    .join("");
  return layout(
    locals,
    "Mail",
    `<h1>Your mail</h1><p>This page needs <code>Mail.Read</code>, which you granted when you first opened it (incremental consent).</p>
     <table id="messages"><tr><th>Received</th><th>From</th><th>Subject</th></tr>${items}</table>`,
  );
}

/** What the app's own API answered when this app called it with the user's token for it. */
export function ordersPage(locals: PageLocals, status: number, answer: unknown): string {
  return layout(
    locals,
    "Orders",
    `<h1>Your orders</h1><p>This page called the app's own API, <code>/api/orders</code>, on the server with your access token for <code>Orders.Read</code> (asked the first time you opened it). The token never reaches your browser; this is the API's answer (HTTP ${escapeHtml(status)}):</p>
     <pre id="api-answer">${escapeHtml(JSON.stringify(answer, null, 2))}</pre>`,
  );
}

export function tokensPage(
  locals: PageLocals,
  summary: {
    accessTokens: readonly { scopes: readonly string[]; expiresOn: Date }[];
    hasRefreshToken: boolean;
  } | null,
): string {
  const body = summary
    ? `<table id="tokens"><tr><th>Access token for</th><th>Expires</th></tr>${summary.accessTokens
        .map(
          (t) =>
            `<tr><td>${escapeHtml(t.scopes.join(" "))}</td><td>${escapeHtml(t.expiresOn.toISOString())}</td></tr>`,
        )
        .join(
          "",
        )}</table><p id="refresh">Refresh token: ${summary.hasRefreshToken ? "held (encrypted, server-side)" : "none"}</p>`
    : "<p>No tokens are stored for you: sign in again.</p>";
  return layout(
    locals,
    "Tokens",
    `<h1>Your tokens</h1><p>Scopes and expiry only: token values never leave the server.</p>${body}`,
  );
}

export function errorPage(locals: PageLocals, status: number, message: string): string {
  return layout(
    locals,
    "Error",
    `<h1>Something went wrong (${status})</h1><p>${escapeHtml(message)}</p><p><a href="/">Home</a></p>`,
  );
}
