import type { z } from "zod";
import type { authorizationSchema } from "../config/schema.js";
import { EntranceError } from "../errors/entrance-error.js";
import type { UserRecord } from "../storage/types.js";

type Authorization = z.output<typeof authorizationSchema>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a route needs. Each list is "any of"; several lists (or several guards) must all be met.
 * Groups are object ids or names from `authorization.groups`.
 */
export interface Requirement {
  readonly roles?: readonly string[];
  readonly groups?: readonly string[];
  readonly permissions?: readonly string[];
}

/** The outcome of checking a requirement: met, or what is missing. */
export type Decision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly missing: {
        readonly roles: readonly string[];
        readonly groups: readonly string[];
        readonly permissions: readonly string[];
      };
    };

/** A group name or id as its object id; throws for a name the configuration does not list. */
export function groupId(authorization: Authorization, group: string): string {
  if (GUID.test(group)) return group.toLowerCase();
  const id = authorization.groups[group];
  if (!id) {
    throw new EntranceError(
      "config_invalid",
      `Group "${group}" is neither a group id nor a name listed in authorization.groups.`,
    );
  }
  return id.toLowerCase();
}

/** Checks a requirement's names against the configuration, at guard construction time. */
export function checkRequirement(authorization: Authorization, requirement: Requirement): void {
  for (const group of requirement.groups ?? []) groupId(authorization, group);
  for (const permission of requirement.permissions ?? []) {
    if (!(permission in authorization.permissions)) {
      throw new EntranceError(
        "config_invalid",
        `Permission "${permission}" is not defined in authorization.permissions.`,
      );
    }
  }
}

/** The app permissions a user's roles and groups grant. */
export function permissionsOf(
  authorization: Authorization,
  user: UserRecord,
  groupIds: readonly string[],
): string[] {
  const roles = new Set(user.roles);
  const groups = new Set(groupIds.map((id) => id.toLowerCase()));
  return Object.entries(authorization.permissions)
    .filter(
      ([, rule]) =>
        rule.roles.some((role) => roles.has(role)) ||
        rule.groups.some((group) => groups.has(groupId(authorization, group))),
    )
    .map(([permission]) => permission);
}

/** Whether `user`, member of `groupIds`, meets `requirement`. */
export function decide(
  authorization: Authorization,
  user: UserRecord,
  groupIds: readonly string[],
  requirement: Requirement,
): Decision {
  const groups = new Set(groupIds.map((id) => id.toLowerCase()));
  const permissions = new Set(permissionsOf(authorization, user, groupIds));
  const wantRoles = requirement.roles ?? [];
  const wantGroups = requirement.groups ?? [];
  const wantPermissions = requirement.permissions ?? [];
  const missing = {
    roles:
      wantRoles.length && !wantRoles.some((role) => user.roles.includes(role))
        ? [...wantRoles]
        : [],
    groups:
      wantGroups.length && !wantGroups.some((group) => groups.has(groupId(authorization, group)))
        ? [...wantGroups]
        : [],
    permissions:
      wantPermissions.length && !wantPermissions.some((p) => permissions.has(p))
        ? [...wantPermissions]
        : [],
  };
  const allowed = !missing.roles.length && !missing.groups.length && !missing.permissions.length;
  return allowed ? { allowed: true } : { allowed: false, missing };
}
