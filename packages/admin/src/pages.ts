import type { AccountKind, AuditEventType, Entrance, SignedIn, UserRecord } from "@entrance/core";
import { pageOf, textParam } from "./format.js";
import { page } from "./responses.js";
import type { AdminUrls, AuditFilters, UserKey } from "./urls.js";
import { auditPage, EVENT_LABELS } from "./views/audit.js";
import { problemPage } from "./views/errors.js";
import type { Frame } from "./views/layout.js";
import { userPage } from "./views/user.js";
import { KIND_LABELS, usersPage } from "./views/users.js";

/** What the read-only pages need from the panel. */
export interface View {
  readonly entrance: Entrance;
  readonly urls: AdminUrls;
  readonly pageSize: number;
}

/** `GET {base}/users?q=&kind=&page=`: search, the account kind, and a page of users. */
export async function usersList(view: View, frame: Frame, url: URL): Promise<Response> {
  const query = textParam(url.searchParams.get("q"));
  const kind = accountKindParam(url.searchParams.get("kind"));
  const current = pageOf(url.searchParams.get("page"), view.pageSize);
  const { users, total } = await view.entrance.store.users.list({
    ...(query ? { query } : {}),
    ...(kind ? { accountKind: kind } : {}),
    limit: current.size,
    offset: current.offset,
  });
  const trusted = (tenantId: string) => view.entrance.trustsTenant(tenantId);
  return page(200, usersPage(frame, { query, kind, page: current, users, total, trusted }));
}

/** An account kind from the query; anything else (absent, unknown) is no filter. */
function accountKindParam(value: string | null): AccountKind | undefined {
  return value !== null && Object.hasOwn(KIND_LABELS, value) ? (value as AccountKind) : undefined;
}

/** `GET {base}/users/{tid}/{oid}`: one user, their sessions and token partition. */
export async function userDetail(
  view: View,
  frame: Frame,
  key: UserKey,
  viewer: SignedIn,
  extra: { notice: string | null },
): Promise<Response> {
  const { store } = view.entrance;
  const user = await store.users.get(key.tenantId, key.objectId);
  if (!user) {
    return page(
      404,
      problemPage(frame, {
        title: "No such user",
        message: "Nobody with this tenant id and object id has signed in to this app.",
        back: { href: view.urls.users(), label: "Back to users" },
      }),
    );
  }
  const [sessions, tokens] = await Promise.all([
    store.sessions.listByUser(user.tenantId, user.objectId),
    view.entrance.describeTokens(user),
  ]);
  return page(
    200,
    userPage(frame, {
      user,
      sessions,
      tokens,
      currentSession: viewer.session.idHash,
      self: viewer.user.tenantId === user.tenantId && viewer.user.objectId === user.objectId,
      tenantTrusted: view.entrance.trustsTenant(user.tenantId),
      notice: extra.notice,
      now: Date.now(),
    }),
  );
}

function isEventType(value: string | undefined): value is AuditEventType {
  return value !== undefined && Object.hasOwn(EVENT_LABELS, value);
}

/** `GET {base}/audit?type=&user=&tenant=&q=&page=`: the filtered, paged audit log. */
export async function auditLog(view: View, frame: Frame, url: URL): Promise<Response> {
  const type = textParam(url.searchParams.get("type"), 40);
  const filters: AuditFilters = {
    type: isEventType(type) ? type : undefined,
    tenantId: textParam(url.searchParams.get("tenant")),
    objectId: textParam(url.searchParams.get("user")),
    query: textParam(url.searchParams.get("q")),
  };
  const current = pageOf(url.searchParams.get("page"), view.pageSize);
  const { store } = view.entrance;
  const { events, total } = await store.audit.list({
    ...(isEventType(filters.type) ? { type: filters.type } : {}),
    ...(filters.tenantId ? { tenantId: filters.tenantId } : {}),
    ...(filters.objectId ? { objectId: filters.objectId } : {}),
    ...(filters.query ? { query: filters.query } : {}),
    limit: current.size,
    offset: current.offset,
  });
  // The names of the users a page of events is about: one read per distinct user.
  const keys = new Map<string, UserKey>();
  for (const event of events) {
    if (event.tenantId && event.objectId)
      keys.set(`${event.tenantId}/${event.objectId}`, {
        tenantId: event.tenantId,
        objectId: event.objectId,
      });
  }
  const users = new Map<string, UserRecord>();
  await Promise.all(
    [...keys].map(async ([id, key]) => {
      const user = await store.users.get(key.tenantId, key.objectId);
      if (user) users.set(id, user);
    }),
  );
  return page(200, auditPage(frame, { filters, page: current, events, total, users }));
}
