import {
  authorityOf,
  type EntranceConfig,
  isCiamHost,
  isMultiTenant,
  type NetworkClient,
} from "@entrance/core";
import { type Finding, finding } from "../findings.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Entra External ID's issuer: on the tenant's own host, `https://{tid}.ciamlogin.com/{tid}/v2.0`. */
const CIAM_ISSUER = /^https:\/\/([0-9a-f-]{36})\.ciamlogin\.com\/\1\/v2\.0$/i;

/** What the authority check learned, for the checks after it. */
export interface AuthorityResult {
  readonly findings: Finding[];
  /** The tenant id (GUID) the issuer names, for a single-tenant app whose metadata answered. */
  readonly tenantGuid?: string;
  /** Whether the metadata answered and its issuer is the one expected. */
  readonly usable: boolean;
  /** Where the metadata sends browsers to sign in, when it answered. */
  readonly authorizationEndpoint?: string;
  /** The Date header of the answer, and the local time it arrived (for the clock check). */
  readonly date?: { readonly header: string; readonly receivedAt: number };
}

/**
 * Reads the authority's OpenID configuration as Entrance does (same URL, same network client
 * and trust) and checks that it answers and that its issuer is what the configuration implies:
 * `{authorityHost}/{tenant id}/v2.0`, or the `{tenantid}` template for organizations/common.
 */
export async function checkAuthority(
  config: EntranceConfig,
  network: NetworkClient,
  now: () => number = Date.now,
): Promise<AuthorityResult> {
  const url = `${authorityOf(config)}/v2.0/.well-known/openid-configuration`;
  const authorityFix =
    "check AZURE_TENANT_ID (your tenant id, a verified domain, 'organizations' or 'common') and AZURE_AUTHORITY_HOST (https://login.microsoftonline.com, or a national cloud's host)";
  let response: Awaited<ReturnType<NetworkClient["sendGetRequestAsync"]>>;
  try {
    response = await network.sendGetRequestAsync<Record<string, unknown>>(url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      usable: false,
      findings: [
        finding(
          "authority",
          "authority_unreachable",
          "error",
          `the authority's metadata at ${url} could not be read: ${reason}.`,
          `${authorityFix}; check that this machine reaches it (proxy, firewall, DNS, and for the local emulator its certificate authority: --ca)`,
        ),
      ],
    };
  }
  const receivedAt = now();
  const date = response.headers.date ? { header: response.headers.date, receivedAt } : undefined;
  const body = response.body as Record<string, unknown>;
  if (response.status !== 200) {
    const description =
      typeof body.error_description === "string" ? body.error_description.split(/\r?\n/)[0] : "";
    const notFound = body.error === "invalid_tenant" || /AADSTS90002\b/.test(description ?? "");
    return {
      usable: false,
      ...(date ? { date } : {}),
      findings: [
        finding(
          "authority",
          notFound ? "authority_tenant_not_found" : "authority_error",
          "error",
          `${url} answered HTTP ${response.status}${description ? `: ${description}` : ""}.`,
          notFound
            ? `the tenant "${config.tenantId}" does not exist at ${config.authorityHost}: set AZURE_TENANT_ID to the Directory (tenant) ID shown on the app registration's Overview page`
            : authorityFix,
        ),
      ],
    };
  }
  const issuer = typeof body.issuer === "string" ? body.issuer : undefined;
  const missing = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"].filter(
    (key) => typeof body[key] !== "string",
  );
  if (issuer === undefined || missing.length > 0) {
    return {
      usable: false,
      ...(date ? { date } : {}),
      findings: [
        finding(
          "authority",
          "authority_not_openid",
          "error",
          `${url} answered, but not with an OpenID configuration (missing ${missing.join(", ")}).`,
          authorityFix,
        ),
      ],
    };
  }
  const ciam = isCiamHost(config.authorityHost);
  const prefix = ciam ? "https://{tenant id}.ciamlogin.com/" : `${config.authorityHost}/`;
  const suffix = "/v2.0";
  const middle = ciam
    ? CIAM_ISSUER.exec(issuer)?.[1]
    : issuer.startsWith(prefix) && issuer.endsWith(suffix)
      ? issuer.slice(prefix.length, -suffix.length)
      : undefined;
  const multi = isMultiTenant(config);
  const expected = multi
    ? "{tenantid}"
    : GUID.test(config.tenantId)
      ? config.tenantId.toLowerCase()
      : "a tenant id";
  const matches =
    middle !== undefined &&
    (multi
      ? middle === "{tenantid}"
      : GUID.test(middle) &&
        (!GUID.test(config.tenantId) || middle.toLowerCase() === config.tenantId.toLowerCase()));
  if (!matches) {
    return {
      usable: false,
      ...(date ? { date } : {}),
      findings: [
        finding(
          "authority",
          "issuer_mismatch",
          "error",
          `the metadata's issuer is ${issuer}, but the configuration implies ${prefix}${expected}${suffix}: tokens from it would be refused.`,
          `${authorityFix}; AZURE_AUTHORITY_HOST must be the host that issues the tokens, with no path`,
        ),
      ],
    };
  }
  const tenantGuid = multi ? undefined : middle?.toLowerCase();
  const named =
    !multi && tenantGuid !== config.tenantId.toLowerCase()
      ? ` (tenant ${config.tenantId} is ${tenantGuid})`
      : "";
  return {
    usable: true,
    authorizationEndpoint: String(body.authorization_endpoint),
    ...(tenantGuid ? { tenantGuid } : {}),
    ...(date ? { date } : {}),
    findings: [
      finding(
        "authority",
        "authority_ok",
        "ok",
        `the authority ${authorityOf(config)} answers, and its issuer ${issuer} is the one expected${named}.`,
      ),
    ],
  };
}
