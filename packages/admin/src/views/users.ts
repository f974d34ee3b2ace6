import type { AccountKind, UserRecord } from "@entrance/core";
import { html, type SafeHtml } from "@entrance/core";
import { count, nameOf, type Page, time } from "../format.js";
import { type Frame, layout } from "./layout.js";
import { pager } from "./paging.js";

/** How a user's groups stand: from the token, or resolved through Graph after an overage. */
export function groupState(user: UserRecord): SafeHtml | string {
  if (!user.groupsOverage) return count(user.groups.length, "group");
  if (user.resolvedGroups)
    return `Overage: ${count(user.resolvedGroups.ids.length, "group")} resolved`;
  return html`<span class="badge plain">Overage, unresolved</span>`;
}

/** Each account kind's name in the panel, in the order the filter offers them. */
export const KIND_LABELS: Readonly<Record<AccountKind, string>> = {
  member: "Member",
  guest: "Guest",
  personal: "Personal",
  customer: "Customer",
};
const KIND_HINTS: Readonly<Record<AccountKind, string>> = {
  member: "A member of the tenant",
  guest: "A guest invited into the tenant from another organization or a personal account",
  personal: "A personal Microsoft account (Outlook.com, Xbox, …): never has roles or groups",
  customer: "A customer of an Azure AD B2C or External ID tenant: never has roles or groups",
};

/** Member, guest, personal account or customer, as the user's last sign-in said. */
export function kindBadge(user: UserRecord): SafeHtml {
  const kind = user.accountKind ?? "member";
  return html`<span class="badge plain account-kind" data-kind="${kind}" title="${KIND_HINTS[kind]}">${KIND_LABELS[kind]}</span>`;
}

export function statusBadge(user: UserRecord): SafeHtml {
  return user.disabled
    ? html`<span class="badge off">Disabled</span>`
    : html`<span class="badge ok">Active</span>`;
}

export function roleTags(roles: readonly string[], counted = true): SafeHtml | string {
  if (roles.length === 0) return html`<span class="muted">None</span>`;
  const tags = html`<ul class="tags">${roles.map((role) => html`<li><span class="badge plain">${role}</span></li>`)}</ul>`;
  return counted ? tags : html`${tags}<span class="hint">(not counted: untrusted tenant)</span>`;
}

/** The users list: search, a page of users, and paging. */
export function usersPage(
  frame: Frame,
  list: {
    query: string | undefined;
    /** The account kind the list is filtered by, if any. */
    kind: AccountKind | undefined;
    page: Page;
    users: readonly UserRecord[];
    total: number;
    /** Whether the roles of a tenant's users count (`authorization.trustedTenants`). */
    trusted: (tenantId: string) => boolean;
  },
): SafeHtml {
  const { urls } = frame;
  const { query, kind, page, users, total } = list;
  const rows = users.map(
    (user) => html`<tr>
<th scope="row" class="name" data-label="User"><span><a href="${urls.user(user)}">${nameOf(user)}</a><span class="muted">${user.username ?? ""}</span></span></th>
<td data-label="Tenant" class="nowrap"><code title="${user.tenantId}">${user.tenantId.slice(0, 8)}…</code></td>
<td data-label="Account">${kindBadge(user)}</td>
<td data-label="Roles">${roleTags(user.roles, list.trusted(user.tenantId))}</td>
<td data-label="Groups">${groupState(user)}</td>
<td data-label="First sign-in">${time(user.firstSignInAt)}</td>
<td data-label="Last sign-in">${time(user.lastSignInAt)}</td>
<td data-label="Status">${statusBadge(user)}</td>
</tr>`,
  );
  const kindText = kind ? ` ${KIND_LABELS[kind].toLowerCase()}${total === 1 ? "" : "s"}` : "";
  const summary = query
    ? `${total}${kindText} matching “${query}”`
    : `${total}${kindText || " in all"}`;
  const kindOptions = (Object.keys(KIND_LABELS) as AccountKind[]).map(
    (value) =>
      html`<option value="${value}"${kind === value ? html` selected` : ""}>${KIND_LABELS[value]}</option>`,
  );
  return layout(frame, {
    title: "Users",
    section: "users",
    body: html`<h1>Users</h1>
<p class="lead">Everyone who has signed in to this app. Open a user to see their sessions and tokens, sign them out or disable them.</p>
<form class="card filters" method="get" action="${urls.users()}" role="search">
<div class="field wide"><label for="q">Search users</label>
<span class="hint" id="q-hint">Name, username, e-mail, object id or tenant id</span>
<input id="q" name="q" type="search" value="${query ?? ""}" maxlength="200" aria-describedby="q-hint" autocomplete="off"></div>
<div class="field"><label for="kind">Account</label>
<select id="kind" name="kind"><option value="">All kinds</option>${kindOptions}</select></div>
<div class="actions"><button class="button" type="submit">Search</button>${query || kind ? html`<a class="button secondary" href="${urls.users()}">Clear</a>` : ""}</div>
</form>
<div class="table">
<table class="stack" id="users">
<caption>Users <span class="muted">— ${summary}</span></caption>
${users.length ? html`<thead><tr><th scope="col">User</th><th scope="col">Tenant</th><th scope="col">Account</th><th scope="col">Roles</th><th scope="col">Groups</th><th scope="col">First sign-in</th><th scope="col">Last sign-in</th><th scope="col">Status</th></tr></thead>` : ""}
<tbody>${rows}</tbody>
</table>
${users.length === 0 ? html`<p class="empty">${query || kind ? "No user matches this search." : "Nobody has signed in yet."}</p>` : ""}
</div>
${pager(page, users.length, total, (n) => urls.users(query, n, kind))}`,
  });
}
