/**
 * Microsoft Entra External ID: external tenants, where an app's customers sign themselves up and
 * in through the tenant's user flow. It is Entra ID with a sign-in host of its own, so it slots in
 * beside the clouds (config/clouds.ts) as a kind of authority:
 *
 * - the authority is `https://{subdomain}.ciamlogin.com/{tenant id or subdomain.onmicrosoft.com}`
 *   (AZURE_AUTHORITY_HOST the host, AZURE_TENANT_ID the tenant); a custom URL domain, or the
 *   emulator at its loopback origin, says so with `externalId: true` (ENTRANCE_EXTERNAL_ID=true)
 *   — the emulator also answers on the ciamlogin.com host itself, through its host proxy;
 * - the issuer of its tokens is `https://{tenant id}.ciamlogin.com/{tenant id}/v2.0`: on a
 *   ciamlogin.com host Entrance requires that shape, and a workforce app refuses it, so a token of
 *   one kind never signs in at an app of the other;
 * - one tenant, always: customers have no `organizations` or `common`, and no personal-account
 *   mode (they sign up in the tenant);
 * - every user is a `customer`; tokens carry no groups unless the app asks for them, and often no
 *   `email` (an optional claim): neither is a problem, the user is keyed by (`tid`, `oid`).
 *
 * Sources (Microsoft Learn): "Supported features in external tenants", "Create self-service
 * sign-up user flows for apps in external tenants"; MSAL's own CIAM handling
 * (`@azure/msal-common` Authority: `.ciamlogin.com` hosts, the `{tenant}.ciamlogin.com` issuer).
 */
import { CONSUMERS_TENANT_ID } from "./accounts.js";

/** The host suffix of External ID's sign-in hosts. */
export const CIAM_HOST_SUFFIX = ".ciamlogin.com";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What the External ID rules read of the configuration. */
export interface ExternalIdSettings {
  readonly authorityHost: string;
  readonly externalId: boolean;
  readonly tenantId: string;
  readonly accounts: string;
}

/** Whether `authorityHost` (a URL) is an External ID sign-in host (`….ciamlogin.com`). */
export function isCiamHost(authorityHost: string): boolean {
  return new URL(authorityHost).hostname.toLowerCase().endsWith(CIAM_HOST_SUFFIX);
}

/** Whether the app signs in through an External ID tenant: by its host, or said so explicitly. */
export function isExternalId(config: Pick<ExternalIdSettings, "authorityHost" | "externalId">) {
  return config.externalId || isCiamHost(config.authorityHost);
}

/** Problems with an External ID configuration, each naming its fix; none for other apps. */
export function externalIdProblems(config: ExternalIdSettings): string[] {
  if (!isExternalId(config)) return [];
  const problems: string[] = [];
  const tenant = config.tenantId.toLowerCase();
  if (["organizations", "common", "consumers", CONSUMERS_TENANT_ID].includes(tenant)) {
    problems.push(
      `tenantId (AZURE_TENANT_ID): an External ID app signs customers in to its own tenant; set the tenant id (a GUID) or its domain (e.g. contosocustomers.onmicrosoft.com), not "${config.tenantId}"`,
    );
  }
  if (config.accounts !== "work-or-school") {
    problems.push(
      "accounts (ENTRANCE_ACCOUNTS): an External ID tenant's customers sign up in the tenant; leave ENTRANCE_ACCOUNTS unset (personal Microsoft accounts are not a mode of External ID)",
    );
  }
  const host = new URL(config.authorityHost);
  if (isCiamHost(config.authorityHost) && host.pathname !== "/" && host.pathname !== "") {
    problems.push(
      `authorityHost (AZURE_AUTHORITY_HOST): give the host only, https://${host.host}; the tenant goes in AZURE_TENANT_ID`,
    );
  }
  return problems;
}

/**
 * Why a token's issuer does not fit the kind of app, or undefined when it does. On a ciamlogin.com
 * host the issuer must be `https://{tid}.ciamlogin.com/{tid}/v2.0` for the token's own `tid`; an
 * app that is not External ID refuses any ciamlogin.com issuer. (With `externalId: true` on
 * another host — a custom domain, the emulator — the issuer is the one the tenant's metadata
 * names, which the ID token check requires anyway.)
 */
export function issuerKindProblem(
  config: Pick<ExternalIdSettings, "authorityHost" | "externalId">,
  iss: string,
  tid: string,
): string | undefined {
  const host = URL.canParse(iss) ? new URL(iss).hostname.toLowerCase() : "";
  const ciamIssuer = host.endsWith(CIAM_HOST_SUFFIX);
  if (!isExternalId(config)) {
    return ciamIssuer
      ? "it was issued by an Entra External ID tenant, and this app signs in workforce accounts"
      : undefined;
  }
  if (!isCiamHost(config.authorityHost)) return undefined;
  const expected = GUID.test(tid) ? `https://${tid}${CIAM_HOST_SUFFIX}/${tid}/v2.0` : undefined;
  return iss === expected
    ? undefined
    : `its issuer is not the External ID issuer https://{tenant id}${CIAM_HOST_SUFFIX}/{tenant id}/v2.0 of its tenant`;
}
