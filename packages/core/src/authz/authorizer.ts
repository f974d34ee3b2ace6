/**
 * Authorization: app roles, groups (with overage resolved through Graph, once per user at a time)
 * and the app's permissions — counted only for users of tenants the app trusts.
 */
import type { Client as GraphClient } from "@microsoft/microsoft-graph-client";
import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../storage/types.js";
import { fetchGroups, freshResolution } from "./groups.js";
import {
  checkRequirement,
  type Decision,
  decide,
  permissionsOf,
  type Requirement,
} from "./requirements.js";
import { TenantTrust } from "./trust.js";

export class Authorizer {
  readonly #rt: Runtime;
  readonly #graph: (user: UserRecord, scopes: readonly string[]) => GraphClient;
  readonly #resolving = new Map<string, Promise<readonly string[]>>();
  readonly trust: TenantTrust;

  constructor(rt: Runtime, graph: (user: UserRecord, scopes: readonly string[]) => GraphClient) {
    this.#rt = rt;
    this.#graph = graph;
    this.trust = new TenantTrust(rt.config, () => rt.expectedTenant());
    const { permissions, groups } = rt.config.authorization;
    if (
      this.trust.trustsNoTenant &&
      (Object.keys(permissions).length > 0 || Object.keys(groups).length > 0)
    ) {
      rt.logger.warn(
        { event: "no_trusted_tenant" },
        "entrance: this multi-tenant app trusts no tenant's app roles or groups, so authorization.permissions and authorization.groups grant nothing. " +
          "Set authorization.trustedTenants (ENTRANCE_TRUSTED_TENANTS) to the tenant ids whose role assignments you control.",
      );
    }
  }

  /** The user as authorization sees them (see `TenantTrust.apply`), once the trust is known. */
  async effective(user: UserRecord): Promise<UserRecord> {
    if (!this.trust.known) await this.trust.ready();
    return this.trust.apply(user);
  }

  /**
   * The user's group ids: from the token, or — when it carried the overage marker — resolved
   * through Graph (`/me/transitiveMemberOf`, paged), kept in the store for
   * `authorization.groupCacheSeconds`. Throws `groups_unavailable` when Graph fails (nothing is
   * cached then), or `interaction_required` when the Graph token needs consent.
   */
  async groupsOf(record: UserRecord): Promise<readonly string[]> {
    const user = this.trust.apply(record);
    if (!user.groupsOverage) return user.groups;
    const { groupCacheSeconds, groupScopes } = this.#rt.config.authorization;
    const cached = freshResolution(user, groupCacheSeconds);
    if (cached) return cached;
    const key = `${user.objectId}.${user.tenantId}`;
    let running = this.#resolving.get(key);
    if (!running) {
      const { store, sessions } = this.#rt;
      running = (async () => {
        const stored = await store.users.get(user.tenantId, user.objectId);
        const storedFresh = stored ? freshResolution(stored, groupCacheSeconds) : null;
        if (storedFresh) return storedFresh;
        const ids = await fetchGroups(this.#graph(user, groupScopes));
        await store.users.setResolvedGroups(user.tenantId, user.objectId, {
          ids,
          resolvedAt: new Date(),
        });
        sessions.forgetUser(user.tenantId, user.objectId);
        return ids;
      })().finally(() => this.#resolving.delete(key));
      this.#resolving.set(key, running);
    }
    return running;
  }

  /**
   * The app permissions the user holds now, from roles, token groups and groups already resolved;
   * no Graph call (see `groupsOf` and `authorize` for that).
   */
  permissionsOf(record: UserRecord): string[] {
    const user = this.trust.apply(record);
    const { authorization } = this.#rt.config;
    const groups = user.groupsOverage
      ? (freshResolution(user, authorization.groupCacheSeconds) ?? [])
      : user.groups;
    return permissionsOf(authorization, user, groups);
  }

  /** Whether `user` meets `requirement`; resolves overage groups only when the requirement needs groups. */
  async authorize(record: UserRecord, requirement: Requirement): Promise<Decision> {
    const user = await this.effective(record);
    const needsGroups = Boolean(requirement.groups?.length || requirement.permissions?.length);
    const groups = needsGroups ? await this.groupsOf(user) : user.groups;
    return decide(this.#rt.config.authorization, user, groups, requirement);
  }

  /** Validates a requirement's group names and permissions against the configuration. */
  check(requirement: Requirement): void {
    checkRequirement(this.#rt.config.authorization, requirement);
  }
}
