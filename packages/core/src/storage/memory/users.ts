/** The memory store's users: records copied in and out, listed as the admin panel pages them. */
import type { UserRecord, UserStore } from "../types.js";
import { checkPage, containsQuery, copyDate, type Guard, userKey } from "./shared.js";

function copyUser(user: UserRecord): UserRecord {
  return {
    tenantId: user.tenantId,
    objectId: user.objectId,
    accountKind: user.accountKind ?? "member",
    displayName: user.displayName,
    username: user.username,
    mail: user.mail,
    roles: [...user.roles],
    groups: [...user.groups],
    groupsOverage: user.groupsOverage,
    firstSignInAt: copyDate(user.firstSignInAt, "firstSignInAt"),
    lastSignInAt: copyDate(user.lastSignInAt, "lastSignInAt"),
    disabled: user.disabled,
    resolvedGroups: copyResolvedGroups(user.resolvedGroups ?? null),
  };
}

function copyResolvedGroups(resolved: UserRecord["resolvedGroups"]): UserRecord["resolvedGroups"] {
  if (resolved === null) return null;
  return { ids: [...resolved.ids], resolvedAt: copyDate(resolved.resolvedAt, "resolvedAt") };
}

/** Orders users for `list`: last sign-in newest first, then tenant id and object id. */
function byLastSignIn(a: UserRecord, b: UserRecord): number {
  return (
    b.lastSignInAt.getTime() - a.lastSignInAt.getTime() ||
    compareText(a.tenantId, b.tenantId) ||
    compareText(a.objectId, b.objectId)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Users keyed by tenant and object id. */
export function memoryUsers(open: Guard): UserStore {
  const users = new Map<string, UserRecord>();
  return {
    async get(tenantId, objectId) {
      await open();
      const user = users.get(userKey(tenantId, objectId));
      return user ? copyUser(user) : null;
    },
    async upsert(user) {
      await open();
      const key = userKey(user.tenantId, user.objectId);
      const existing = users.get(key);
      const incoming = copyUser(user);
      const stored: UserRecord = existing
        ? {
            ...incoming,
            firstSignInAt: existing.firstSignInAt,
            disabled: existing.disabled,
            resolvedGroups: existing.resolvedGroups,
          }
        : incoming;
      users.set(key, stored);
      return copyUser(stored);
    },
    async setDisabled(tenantId, objectId, disabled) {
      await open();
      const key = userKey(tenantId, objectId);
      const existing = users.get(key);
      if (!existing) return false;
      users.set(key, { ...existing, disabled });
      return true;
    },
    async setResolvedGroups(tenantId, objectId, resolved) {
      await open();
      const key = userKey(tenantId, objectId);
      const existing = users.get(key);
      const resolvedGroups = copyResolvedGroups(resolved);
      if (!existing) return false;
      users.set(key, { ...existing, resolvedGroups });
      return true;
    },
    async list({ query, accountKind, limit, offset }) {
      await open();
      checkPage(limit, offset);
      const matches = containsQuery(query);
      const found = [...users.values()]
        .filter(
          (user) =>
            (accountKind === undefined || (user.accountKind ?? "member") === accountKind) &&
            (matches(user.displayName) ||
              matches(user.username) ||
              matches(user.mail) ||
              matches(user.objectId) ||
              matches(user.tenantId)),
        )
        .sort(byLastSignIn);
      return { users: found.slice(offset, offset + limit).map(copyUser), total: found.length };
    },
  };
}
