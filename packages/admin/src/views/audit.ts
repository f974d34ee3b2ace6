import type { AuditEvent, AuditEventType, UserRecord } from "@entrance/core";
import { html, type SafeHtml } from "@entrance/core";
import { nameOf, type Page, time } from "../format.js";
import type { AuditFilters } from "../urls.js";
import { type Frame, layout } from "./layout.js";
import { pager } from "./paging.js";

/** Each event type, as people read it, in the order the filter lists them. */
export const EVENT_LABELS: Readonly<Record<AuditEventType, string>> = {
  sign_in: "Signed in",
  sign_in_failed: "Sign-in failed",
  sign_out: "Signed out",
  session_ended: "Session ended",
  tokens_evicted: "Tokens evicted",
  user_disabled: "User disabled",
  user_enabled: "User enabled",
};

const ALARMING: ReadonlySet<AuditEventType> = new Set(["sign_in_failed", "user_disabled"]);

function eventBadge(type: AuditEventType): SafeHtml {
  const tone = ALARMING.has(type) ? "off" : type === "sign_in" ? "ok" : "plain";
  return html`<span class="badge ${tone}">${EVENT_LABELS[type] ?? type}</span>`;
}

/** The audit log: filters, a page of events, paging. */
export function auditPage(
  frame: Frame,
  log: {
    filters: AuditFilters;
    page: Page;
    events: readonly AuditEvent[];
    total: number;
    /** The users the events are about, by `tenantId/objectId`, for their names. */
    users: ReadonlyMap<string, UserRecord>;
  },
): SafeHtml {
  const { urls } = frame;
  const { filters, page, events, total, users } = log;
  const filtered = Boolean(filters.type || filters.tenantId || filters.objectId || filters.query);
  const rows = events.map((event) => {
    const key = event.tenantId && event.objectId ? `${event.tenantId}/${event.objectId}` : null;
    const user = key ? users.get(key) : undefined;
    const subject =
      event.tenantId && event.objectId
        ? html`<a href="${urls.user({ tenantId: event.tenantId, objectId: event.objectId })}">${user ? nameOf(user) : event.objectId}</a>`
        : html`<span class="muted">—</span>`;
    return html`<tr>
<td data-label="When">${time(event.at)}</td>
<td data-label="Event">${eventBadge(event.type)}</td>
<td data-label="User">${subject}</td>
<td data-label="By">${event.actor ? (event.actor.name ?? event.actor.objectId) : html`<span class="muted">—</span>`}</td>
<td data-label="Detail">${event.detail}${event.aadsts !== null ? html` <code class="badge off">AADSTS${event.aadsts}</code>` : ""}</td>
<td data-label="IP address" class="nowrap"><span class="mono">${event.ip ?? "—"}</span></td>
</tr>`;
  });
  const options = (Object.keys(EVENT_LABELS) as AuditEventType[]).map(
    (type) =>
      html`<option value="${type}"${filters.type === type ? html` selected` : ""}>${EVENT_LABELS[type]}</option>`,
  );
  return layout(frame, {
    title: "Audit log",
    section: "audit",
    body: html`<h1>Audit log</h1>
<p class="lead">Sign-ins, sign-outs, failed sign-ins with Entra's error code, and what administrators did, newest first.</p>
<form class="card filters" method="get" action="${urls.audit()}" role="search" aria-label="Filter the audit log">
<div class="field"><label for="type">Event</label>
<select id="type" name="type"><option value="">All events</option>${options}</select></div>
<div class="field"><label for="user">User object id</label>
<input id="user" name="user" value="${filters.objectId ?? ""}" maxlength="200" autocomplete="off" spellcheck="false"></div>
<div class="field"><label for="tenant">Tenant id</label>
<input id="tenant" name="tenant" value="${filters.tenantId ?? ""}" maxlength="200" autocomplete="off" spellcheck="false"></div>
<div class="field"><label for="audit-q">Text in the detail</label>
<input id="audit-q" name="q" type="search" value="${filters.query ?? ""}" maxlength="200" autocomplete="off"></div>
<div class="actions"><button class="button" type="submit">Filter</button>${filtered ? html`<a class="button secondary" href="${urls.audit()}">Clear</a>` : ""}</div>
</form>
<div class="table">
<table class="stack" id="audit">
<caption>Events <span class="muted">— ${filtered ? `${total} matching` : `${total} in all`}</span></caption>
${events.length ? html`<thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">User</th><th scope="col">By</th><th scope="col">Detail</th><th scope="col">IP address</th></tr></thead>` : ""}
<tbody>${rows}</tbody>
</table>
${events.length === 0 ? html`<p class="empty">${filtered ? "No event matches these filters." : "Nothing has been recorded yet."}</p>` : ""}
</div>
${pager(page, events.length, total, (n) => urls.audit(filters, n))}`,
  });
}
