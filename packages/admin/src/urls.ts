import { STYLESHEET_VERSION } from "./stylesheet.js";

/** What an administrator can do to a user, as it appears in the action's URL. */
export type UserActionName = "end-sessions" | "evict-tokens" | "disable" | "enable";

/** A user's key, as URLs carry it. */
export interface UserKey {
  readonly tenantId: string;
  readonly objectId: string;
}

/** Audit log filters, as the page's query carries them. */
export interface AuditFilters {
  readonly type?: string | undefined;
  readonly tenantId?: string | undefined;
  readonly objectId?: string | undefined;
  readonly query?: string | undefined;
}

function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** Every URL of the panel, under its base path: the one place that knows the URL layout. */
export class AdminUrls {
  constructor(readonly base: string) {}

  get stylesheet(): string {
    return `${this.base}/admin.css?v=${STYLESHEET_VERSION}`;
  }

  users(query?: string, page?: number, kind?: string): string {
    return withQuery(`${this.base}/users`, {
      q: query,
      kind,
      page: page && page > 1 ? page : undefined,
    });
  }

  user(user: UserKey, done?: Record<string, string | number>): string {
    return withQuery(
      `${this.base}/users/${encodeURIComponent(user.tenantId)}/${encodeURIComponent(user.objectId)}`,
      done ?? {},
    );
  }

  action(user: UserKey, action: UserActionName): string {
    return `${this.user(user)}/${action}`;
  }

  endSession(user: UserKey, idHash: string): string {
    return `${this.user(user)}/sessions/${encodeURIComponent(idHash)}/end`;
  }

  audit(filters: AuditFilters = {}, page?: number): string {
    return withQuery(`${this.base}/audit`, {
      type: filters.type,
      tenant: filters.tenantId,
      user: filters.objectId,
      q: filters.query,
      page: page && page > 1 ? page : undefined,
    });
  }
}
