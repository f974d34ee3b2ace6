/**
 * Which accounts may sign in, and the rules that keep `tenantId` and `accounts` saying the same.
 * Personal Microsoft accounts live in one tenant of their own (`consumers`); Entra's `common`
 * authority lets them in beside work and school accounts. Both are opt-in: an app written for an
 * organization that is pointed at `common` would otherwise let anyone with a free Outlook.com
 * address in.
 */
import type { z } from "zod";
import type { AccountKind } from "../storage/types.js";
import { cloudOfAuthority } from "./clouds.js";
import type { configSchema } from "./schema.js";

/** The tenant id of every personal Microsoft account (Entra's `consumers` tenant). */
export const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

type Parsed = z.output<typeof configSchema>;

/** Problems with `tenantId`, `accounts` and the tenant lists taken together, each naming its fix. */
export function accountProblems(config: Parsed): string[] {
  const tenant = config.tenantId.toLowerCase();
  const problems: string[] = [];
  if (tenant === "common" && config.accounts !== "any") {
    problems.push(
      "tenantId (AZURE_TENANT_ID): 'common' lets personal Microsoft accounts sign in as well as " +
        "every organization's accounts, so anyone with a free Outlook.com address gets in. Use " +
        "'organizations' (work or school accounts of any tenant) or your tenant id; or, if the " +
        'app is meant for personal accounts too, set ENTRANCE_ACCOUNTS=any (accounts: "any")',
    );
  }
  if (
    (tenant === "consumers" || tenant === CONSUMERS_TENANT_ID) &&
    config.accounts !== "personal"
  ) {
    problems.push(
      "tenantId (AZURE_TENANT_ID): 'consumers' signs in personal Microsoft accounts only, which " +
        "anyone can create. If that is what the app is for, set ENTRANCE_ACCOUNTS=personal " +
        "(accounts: \"personal\"); otherwise use your tenant id or 'organizations'",
    );
  }
  if (config.accounts === "any" && tenant !== "common") {
    problems.push(
      `accounts (ENTRANCE_ACCOUNTS): "any" needs AZURE_TENANT_ID=common (the tenant is "${config.tenantId}"): only the common authority signs in both work or school and personal accounts`,
    );
  }
  if (config.accounts === "personal" && tenant !== "consumers" && tenant !== CONSUMERS_TENANT_ID) {
    problems.push(
      `accounts (ENTRANCE_ACCOUNTS): "personal" needs AZURE_TENANT_ID=consumers (the tenant is "${config.tenantId}")`,
    );
  }
  const cloud = cloudOfAuthority(config.authorityHost);
  if (config.accounts !== "work-or-school" && cloud && cloud.name !== "global") {
    problems.push(
      `accounts (ENTRANCE_ACCOUNTS): personal Microsoft accounts exist only in the global cloud, not in ${cloud.title} (AZURE_AUTHORITY_HOST); use work-or-school there`,
    );
  }
  if (config.authorization.trustedTenants.includes(CONSUMERS_TENANT_ID)) {
    problems.push(
      "authorization.trustedTenants (ENTRANCE_TRUSTED_TENANTS): the personal-account tenant " +
        `${CONSUMERS_TENANT_ID} has no administrators who assign app roles or groups; remove it`,
    );
  }
  return problems;
}

/** Whether `tid` is the personal-account tenant. */
export function isPersonalTenant(tid: string): boolean {
  return tid.toLowerCase() === CONSUMERS_TENANT_ID;
}

/** The claims {@link accountKindOf} reads. */
export interface AccountClaims {
  readonly tid: string;
  readonly iss: string;
  readonly idp?: unknown;
  readonly acct?: unknown;
  readonly upn?: unknown;
  readonly preferred_username?: unknown;
}

/**
 * The kind of account an ID token describes. `tid` is the tenant that issued the token (for a
 * guest, the resource tenant, not the home one). A guest shows as the optional `acct` claim 1; as
 * an `idp` (the home identity provider: another tenant's issuer, or `live.com` for a personal
 * account invited as a guest) that is not the token's own tenant; or as a user
 * principal name with `#EXT#`, the form Entra gives invited users in the resource tenant.
 */
export function accountKindOf(claims: AccountClaims): AccountKind {
  if (isPersonalTenant(claims.tid)) return "personal";
  if (claims.acct === 1 || claims.acct === "1") return "guest";
  // An issuer-shaped idp naming the token's own tenant (v1 or v2 form) is the tenant itself.
  const idp = typeof claims.idp === "string" ? claims.idp.toLowerCase() : "";
  if (idp && idp !== claims.iss.toLowerCase() && !idp.includes(claims.tid.toLowerCase())) {
    return "guest";
  }
  for (const name of [claims.upn, claims.preferred_username]) {
    if (typeof name === "string" && name.toUpperCase().includes("#EXT#@")) return "guest";
  }
  return "member";
}
