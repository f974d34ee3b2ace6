import type { SessionRecord, TokenSummary, UserRecord } from "@entrance/core";
import { html, type SafeHtml } from "@entrance/core";
import { count, nameOf, relative, time } from "../format.js";
import { type Frame, layout } from "./layout.js";
import { groupState, kindBadge, roleTags, statusBadge } from "./users.js";

/** What the user detail page shows. */
export interface UserDetail {
  readonly user: UserRecord;
  readonly sessions: readonly SessionRecord[];
  readonly tokens: TokenSummary | null;
  /** The viewing administrator's own session, marked in the list. */
  readonly currentSession: string;
  /** The administrator is looking at themselves: they cannot disable their own account. */
  readonly self: boolean;
  /** Whether the app trusts the role assignments and groups of the user's tenant. */
  readonly tenantTrusted: boolean;
  /** The result of the action that led here, already worded. */
  readonly notice: string | null;
  readonly now: number;
}

function groupsCard(user: UserRecord, now: number): SafeHtml {
  const state = !user.groupsOverage
    ? html`<p>The ID token listed ${count(user.groups.length, "group")}: no resolution needed.</p>`
    : user.resolvedGroups
      ? html`<p>The ID token carried the overage marker (more than 200 groups). Resolved through Microsoft Graph: ${count(user.resolvedGroups.ids.length, "group")}, ${time(user.resolvedGroups.resolvedAt)} (${relative(user.resolvedGroups.resolvedAt, now)}).</p>`
      : html`<p>The ID token carried the overage marker (more than 200 groups). <strong>Not resolved yet</strong>: the app has not asked Microsoft Graph for them.</p>`;
  const ids = user.groupsOverage ? (user.resolvedGroups?.ids ?? []) : user.groups;
  const shown = ids.slice(0, 10);
  return html`<section class="card" aria-labelledby="groups-title" id="groups">
<h2 id="groups-title">Groups</h2>
${state}
${shown.length ? html`<ul class="tags">${shown.map((id) => html`<li><code class="badge plain">${id}</code></li>`)}</ul>` : ""}
${ids.length > shown.length ? html`<p class="hint">and ${ids.length - shown.length} more</p>` : ""}
</section>`;
}

function tokensCard(tokens: TokenSummary | null, now: number): SafeHtml {
  const body = tokens
    ? html`${
        tokens.accessTokens.length
          ? html`<div class="table"><table class="stack" id="access-tokens">
<caption>Access tokens <span class="muted">— ${tokens.accessTokens.length}</span></caption>
<thead><tr><th scope="col">Scopes</th><th scope="col">Expires</th></tr></thead>
<tbody>${tokens.accessTokens.map(
              (token) =>
                html`<tr><td data-label="Scopes">${token.scopes.join(" ")}</td><td data-label="Expires">${time(token.expiresOn)} <span class="muted">(${relative(token.expiresOn, now)})</span></td></tr>`,
            )}</tbody></table></div>`
          : html`<p>No access token is held.</p>`
      }
<p id="refresh-token">Refresh token: ${tokens.hasRefreshToken ? html`<strong>held</strong> (encrypted in the store)` : "none"}</p>`
    : html`<p id="no-tokens">No tokens are stored for this user.</p>`;
  return html`<section class="card" aria-labelledby="tokens-title" id="tokens">
<h2 id="tokens-title">Token partition</h2>
<p class="hint">Scopes and expiry only: token values never leave the server.</p>
${body}
</section>`;
}

function sessionsTable(frame: Frame, detail: UserDetail): SafeHtml {
  const { user, sessions, currentSession, now } = detail;
  const rows = sessions.map((session) => {
    const ended =
      session.idleExpiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now;
    const ends = new Date(
      Math.min(session.idleExpiresAt.getTime(), session.absoluteExpiresAt.getTime()),
    );
    return html`<tr>
<td data-label="Started">${time(session.createdAt)}${session.idHash === currentSession ? html` <span class="badge ok">This session</span>` : ""}</td>
<td data-label="Last seen">${time(session.lastSeenAt)}</td>
<td data-label="Ends" class="nowrap">${ended ? html`<span class="badge plain">Expired</span>` : relative(ends, now)}</td>
<td data-label="IP address" class="nowrap"><span class="mono">${session.ip ?? "—"}</span></td>
<td data-label="Browser">${session.userAgent ?? "—"}</td>
<td data-label="Action"><a class="button danger secondary small" href="${frame.urls.endSession(user, session.idHash)}">End<span class="visually-hidden"> session started ${session.createdAt.toISOString()}</span></a></td>
</tr>`;
  });
  return html`<div class="table">
<table class="stack" id="sessions">
<caption>Sessions <span class="muted">— ${count(sessions.length, "session")}</span></caption>
${sessions.length ? html`<thead><tr><th scope="col">Started</th><th scope="col">Last seen</th><th scope="col">Ends</th><th scope="col">IP address</th><th scope="col">Browser</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>` : ""}
<tbody>${rows}</tbody>
</table>
${sessions.length === 0 ? html`<p class="empty">No session: this user is signed in nowhere.</p>` : ""}
</div>`;
}

/** One user: profile, group resolution, token partition, sessions, and the actions. */
export function userPage(frame: Frame, detail: UserDetail): SafeHtml {
  const { urls } = frame;
  const { user, notice, self, now } = detail;
  const toggle = user.disabled
    ? html`<a class="button" href="${urls.action(user, "enable")}" id="enable">Enable user</a>`
    : self
      ? ""
      : html`<a class="button danger" href="${urls.action(user, "disable")}" id="disable">Disable user</a>`;
  return layout(frame, {
    title: nameOf(user),
    section: "users",
    body: html`<p class="crumbs"><a href="${urls.users()}">← All users</a></p>
<h1>${nameOf(user)} ${statusBadge(user)}</h1>
${user.username ? html`<p class="lead">${user.username}</p>` : ""}
${notice ? html`<div class="notice" role="status" id="notice">${notice}</div>` : ""}
${user.disabled ? html`<div class="alert" id="disabled-note">This user is disabled: their sign-ins are refused until an administrator enables them.</div>` : ""}
<div class="actions">
<a class="button danger secondary" href="${urls.action(user, "end-sessions")}" id="end-sessions">End all sessions</a>
<a class="button secondary" href="${urls.action(user, "evict-tokens")}" id="evict-tokens">Evict tokens</a>
${toggle}
<a href="${urls.audit({ tenantId: user.tenantId, objectId: user.objectId })}" id="user-audit">Audit events of this user</a>
</div>
<div class="columns">
<section class="card" aria-labelledby="profile-title" id="profile">
<h2 id="profile-title">Profile</h2>
<dl class="facts">
<dt>Display name</dt><dd>${user.displayName ?? "—"}</dd>
<dt>Username</dt><dd>${user.username ?? "—"}</dd>
<dt>E-mail</dt><dd>${user.mail ?? "—"} <span class="hint">(unverified)</span></dd>
<dt>Object id</dt><dd><code>${user.objectId}</code></dd>
<dt>Tenant id</dt><dd><code>${user.tenantId}</code></dd>
<dt>Account</dt><dd>${kindBadge(user)}${user.accountKind === "guest" ? html` <span class="hint">(the tenant above is the one they are a guest in, not their home tenant)</span>` : ""}</dd>
<dt>App roles</dt><dd>${roleTags(user.roles)}${detail.tenantTrusted ? "" : html` <span class="hint" id="roles-untrusted">(not counted: this app does not trust this tenant's role assignments or groups)</span>`}</dd>
<dt>Groups</dt><dd>${groupState(user)}</dd>
<dt>First sign-in</dt><dd>${time(user.firstSignInAt)}</dd>
<dt>Last sign-in</dt><dd>${time(user.lastSignInAt)} <span class="muted">(${relative(user.lastSignInAt, now)})</span></dd>
<dt>Status</dt><dd>${statusBadge(user)}</dd>
</dl>
</section>
<div>
${tokensCard(detail.tokens, now)}
${groupsCard(user, now)}
</div>
</div>
${sessionsTable(frame, detail)}`,
  });
}
