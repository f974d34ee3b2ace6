import { isPersonalTenant } from "../config/accounts.js";
import { isMultiTenant } from "../config/load.js";
import type { EntranceConfig } from "../config/schema.js";
import type { UserRecord } from "../storage/types.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long a request waits to learn the home tenant, and how long after a failure to ask again. */
const WAIT_MS = 3000;
const RETRY_MS = 30_000;

/**
 * Which tenants' app-role assignments and groups count. In a multi-tenant app every customer
 * tenant's administrators assign roles on their own copy of the app (its service principal), so a
 * `roles` claim says only what *that* tenant decided: trusting it from any tenant lets an attacker
 * who controls one make themselves this app's administrator. Roles and groups count for users of
 * `authorization.trustedTenants`; when that is empty, for a single-tenant app's own tenant, and
 * for no tenant of an `organizations`/`common` app; never for personal Microsoft accounts.
 */
export class TenantTrust {
  /** Known at once unless a single-tenant app names its tenant by domain: then after `ready`. */
  #trusted: ReadonlySet<string> | null;
  readonly #homeTenant: () => Promise<string | undefined>;
  #learning: Promise<void> | undefined;
  #failedAt = Number.NEGATIVE_INFINITY;

  constructor(config: EntranceConfig, homeTenant: () => Promise<string | undefined>) {
    this.#homeTenant = homeTenant;
    const configured = config.authorization.trustedTenants;
    if (configured.length) this.#trusted = new Set(configured);
    else if (isMultiTenant(config) || config.accounts === "personal") this.#trusted = new Set();
    else if (GUID.test(config.tenantId)) this.#trusted = new Set([config.tenantId.toLowerCase()]);
    else this.#trusted = null;
  }

  /** Whether it is known which tenants count (always, unless a domain-named tenant is still to be learnt). */
  get known(): boolean {
    return this.#trusted !== null;
  }

  /** Whether no user's roles or groups can count (a multi-tenant app with no trusted tenant). */
  get trustsNoTenant(): boolean {
    return this.#trusted !== null && this.#trusted.size === 0;
  }

  /**
   * Learns the home tenant's id from the metadata when it was configured by domain. Until the
   * metadata answers, nobody's roles count (failing closed); a request waits for it at most a few
   * seconds, and after a failure it is asked again at most every 30 s, so pages never hang on
   * a slow or absent Entra.
   */
  async ready(): Promise<void> {
    if (this.#trusted || Date.now() - this.#failedAt < RETRY_MS) return;
    // Only the request that starts learning waits; the others go on while it is under way.
    if (this.#learning) return;
    this.#learning = this.#homeTenant()
      .then((tenant) => {
        if (tenant && GUID.test(tenant)) this.#trusted = new Set([tenant.toLowerCase()]);
        else this.#failedAt = Date.now();
      })
      .catch(() => {
        this.#failedAt = Date.now();
      })
      .finally(() => {
        this.#learning = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#learning,
      new Promise((resolve) => {
        timer = setTimeout(resolve, WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Whether roles and groups of users of `tenantId` count. */
  trusts(tenantId: string): boolean {
    // Personal accounts have no tenant administrators: nobody assigns them roles or groups.
    if (isPersonalTenant(tenantId)) return false;
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
