import { isMultiTenant } from "../config/load.js";
import type { EntranceConfig } from "../config/schema.js";
import type { UserRecord } from "../storage/types.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Which tenants' app-role assignments and groups count. In a multi-tenant app every customer
 * tenant's administrators assign roles on their own copy of the app (its service principal), so a
 * `roles` claim says only what *that* tenant decided: trusting it from any tenant lets an attacker
 * who controls one make themselves this app's administrator. Roles and groups count for users of
 * `authorization.trustedTenants`; when that is empty, for a single-tenant app's own tenant, and
 * for no tenant of an `organizations`/`common` app.
 */
export class TenantTrust {
  /** Known at once unless a single-tenant app names its tenant by domain: then after `ready`. */
  #trusted: ReadonlySet<string> | null;
  readonly #homeTenant: () => Promise<string | undefined>;

  constructor(config: EntranceConfig, homeTenant: () => Promise<string | undefined>) {
    this.#homeTenant = homeTenant;
    const configured = config.authorization.trustedTenants;
    if (configured.length) this.#trusted = new Set(configured);
    else if (isMultiTenant(config)) this.#trusted = new Set();
    else if (GUID.test(config.tenantId)) this.#trusted = new Set([config.tenantId.toLowerCase()]);
    else this.#trusted = null;
  }

  /** Whether no user's roles or groups can count (a multi-tenant app with no trusted tenant). */
  get trustsNoTenant(): boolean {
    return this.#trusted !== null && this.#trusted.size === 0;
  }

  /** Learns the home tenant's id from the metadata when it was configured by domain. */
  async ready(): Promise<void> {
    if (this.#trusted) return;
    const tenant = await this.#homeTenant().catch(() => undefined);
    // Until the metadata answers, nobody's roles count: failing closed, and asked again next time.
    if (tenant && GUID.test(tenant)) this.#trusted = new Set([tenant.toLowerCase()]);
  }

  /** Whether roles and groups of users of `tenantId` count. */
  trusts(tenantId: string): boolean {
    return this.#trusted?.has(tenantId.toLowerCase()) ?? false;
  }

  /**
   * The user as authorization sees them: unchanged for a trusted tenant, otherwise with no roles,
   * no groups and no overage to resolve.
   */
  apply(user: UserRecord): UserRecord {
    if (this.trusts(user.tenantId)) return user;
    if (!user.roles.length && !user.groups.length && !user.groupsOverage) return user;
    return { ...user, roles: [], groups: [], groupsOverage: false, resolvedGroups: null };
  }
}
