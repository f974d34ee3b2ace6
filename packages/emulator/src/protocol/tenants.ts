import type { Tenant } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import { CONSUMERS_TENANT_ID, type TenantAlias } from "../directory.js";
import { servedCiamHost } from "./ciam-hosts.js";

/** What the `{tenant}` segment of an authority names. */
export type Authority =
  | { readonly kind: "tenant"; readonly tenant: Tenant; readonly segment: string }
  | {
      readonly kind: "alias";
      readonly alias: TenantAlias;
      readonly segment: string;
      /** In a national cloud `common` has no personal accounts to admit. */
      readonly withoutPersonal?: boolean;
    };

const ALIASES: readonly TenantAlias[] = ["common", "organizations", "consumers"];

/**
 * Resolves a `{tenant}` segment: a tenant GUID, a domain, or common/organizations/consumers. On an
 * External ID host (`{subdomain}.ciamlogin.com`) only that host's tenant resolves, by id or domain.
 */
export function resolveAuthority(ctx: EmulatorContext, segment: string): Authority | undefined {
  const lower = segment.toLowerCase();
  const host = servedCiamHost();
  if (host) {
    const tenant = ctx.directory.tenant(lower);
    return tenant?.id === host.tenant.id
      ? { kind: "tenant", tenant, segment: tenant.id }
      : undefined;
  }
  const personal = ctx.cloud?.personalAccounts ?? true;
  if (!personal && (lower === "consumers" || lower === CONSUMERS_TENANT_ID)) return undefined;
  const alias = ALIASES.find((a) => a === lower);
  if (alias) return { kind: "alias", alias, segment: alias, withoutPersonal: !personal };
  if (lower === CONSUMERS_TENANT_ID) return { kind: "alias", alias: "consumers", segment: lower };
  const tenant = ctx.directory.tenant(lower);
  // A B2C tenant answers only under its policies (protocol/b2c.ts), as b2clogin.com does.
  return tenant && tenant.kind !== "b2c"
    ? { kind: "tenant", tenant, segment: tenant.id }
    : undefined;
}

/** Whether a user of `tenant` may sign in through this authority. */
export function admits(authority: Authority, tenant: Tenant): boolean {
  if (tenant.kind === "b2c") return false;
  if (authority.kind === "tenant") return authority.tenant.id === tenant.id;
  // An External ID tenant's customers sign in through their tenant's own authority only.
  if (tenant.kind === "external") return false;
  if (authority.alias === "consumers") return tenant.id === CONSUMERS_TENANT_ID;
  if (authority.alias === "organizations" || authority.withoutPersonal) {
    return tenant.id !== CONSUMERS_TENANT_ID;
  }
  return true;
}
