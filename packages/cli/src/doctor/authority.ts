import {
  authorityOf,
  b2cIssuerTenant,
  type EntranceConfig,
  isCiamHost,
  isMultiTenant,
  type NetworkClient,
  policyAuthority,
} from "@entrance/core";
import { type Finding, finding } from "../findings.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Entra External ID's issuer: on the tenant's own host, `https://{tid}.ciamlogin.com/{tid}/v2.0`. */
const CIAM_ISSUER = /^https:\/\/([0-9a-f-]{36})\.ciamlogin\.com\/\1\/v2\.0$/i;

/**
 * The first line of an error description, without its closing full stop: the finding's sentence
 * adds its own (Entra's descriptions run over several lines, each ending with one).
 */
function firstLine(description: unknown): string {
  if (typeof description !== "string") return "";
  return (description.split(/\r?\n/)[0] ?? "").trim().replace(/\.$/, "");
}

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
  if (config.b2c) return checkB2cAuthority(config, config.b2c, network, now);
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
    const description = firstLine(body.error_description);
    const notFound = body.error === "invalid_tenant" || /AADSTS90002\b/.test(description);
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

/** The variable naming each B2C policy, for the findings. */
const POLICY_VARIABLES = [
  ["signUpSignIn", "AZURE_B2C_SIGN_UP_SIGN_IN_POLICY"],
  ["resetPassword", "AZURE_B2C_RESET_PASSWORD_POLICY"],
  ["editProfile", "AZURE_B2C_EDIT_PROFILE_POLICY"],
] as const;

/**
 * Azure AD B2C: each configured policy is an authority of its own (`{host}/{tenant}/{policy}`),
 * so each policy's metadata is read, and its issuer must have B2C's shape as core validates it
 * (`…/{tenant id}/v2.0/`), name the configured tenant when that is an id, and be the same for
 * every policy. The sign-up/sign-in policy's answer stands for the authority in later checks.
 */
async function checkB2cAuthority(
  config: EntranceConfig,
  b2c: NonNullable<EntranceConfig["b2c"]>,
  network: NetworkClient,
  now: () => number,
): Promise<AuthorityResult> {
  const findings: Finding[] = [];
  let usable = true;
  let first: { issuer: string; tenant: string; authorizationEndpoint: string } | undefined;
  let date: AuthorityResult["date"];
  const hostFix =
    "check AZURE_TENANT_ID (the B2C tenant's domain, contoso.onmicrosoft.com, or its id) and AZURE_AUTHORITY_HOST (https://{tenant name}.b2clogin.com, or your B2C custom domain)";
  for (const [key, variable] of POLICY_VARIABLES) {
    const policy = b2c[key];
    if (!policy) continue;
    const authority = policyAuthority(config, policy);
    const url = `${authority}/v2.0/.well-known/openid-configuration`;
    let response: Awaited<ReturnType<NetworkClient["sendGetRequestAsync"]>>;
    try {
      response = await network.sendGetRequestAsync<Record<string, unknown>>(url);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      findings.push(
        finding(
          "authority",
          "authority_unreachable",
          "error",
          `the B2C policy ${policy}'s metadata at ${url} could not be read: ${reason}.`,
          `${hostFix}; check that this machine reaches it (proxy, firewall, DNS, and for the local emulator its certificate authority: --ca)`,
        ),
      );
      return { usable: false, findings, ...(date ? { date } : {}) };
    }
    if (!date && response.headers.date) date = { header: response.headers.date, receivedAt: now() };
    const body = response.body as Record<string, unknown>;
    if (response.status !== 200) {
      const description = firstLine(body.error_description);
      const answered = `${url} answered HTTP ${response.status}${description ? `: ${description}` : ""}.`;
      findings.push(
        response.status === 404
          ? finding(
              "authority",
              "b2c_policy_not_found",
              "error",
              `the B2C tenant ${config.tenantId} at ${config.authorityHost} has no policy ${policy} (${variable}): ${answered}`,
              `set ${variable} to a user flow or custom policy of the tenant, exactly as the Azure portal lists it under Azure AD B2C > User flows (or Identity Experience Framework); ${hostFix}`,
            )
          : finding("authority", "authority_error", "error", answered, hostFix),
      );
      usable = false;
      continue;
    }
    const missing = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"].filter(
      (name) => typeof body[name] !== "string",
    );
    if (missing.length > 0) {
      findings.push(
        finding(
          "authority",
          "authority_not_openid",
          "error",
          `${url} answered, but not with an OpenID configuration (missing ${missing.join(", ")}).`,
          hostFix,
        ),
      );
      usable = false;
      continue;
    }
    const issuer = String(body.issuer);
    const tenant = b2cIssuerTenant(issuer);
    const wanted = GUID.test(config.tenantId) ? config.tenantId.toLowerCase() : undefined;
    if (!tenant || (wanted && tenant !== wanted) || (first && issuer !== first.issuer)) {
      const implied = first
        ? `${first.issuer}, the issuer of ${b2c.signUpSignIn}`
        : `{host}/${wanted ?? "{tenant id}"}/v2.0/`;
      findings.push(
        finding(
          "authority",
          "issuer_mismatch",
          "error",
          `the B2C policy ${policy}'s issuer is ${issuer}, but a B2C issuer here must be ${implied}: its tokens would be refused.`,
          `${hostFix}; AZURE_AUTHORITY_HOST must be the B2C host, with no path`,
        ),
      );
      usable = false;
      continue;
    }
    first ??= { issuer, tenant, authorizationEndpoint: String(body.authorization_endpoint) };
    findings.push(
      finding(
        "authority",
        "b2c_policy_ok",
        "ok",
        `the B2C policy ${policy} (${variable}) answers at ${authority}, and its issuer ${issuer} is B2C's for tenant ${tenant}.`,
      ),
    );
  }
  return {
    usable: usable && first !== undefined,
    findings,
    ...(usable && first
      ? { tenantGuid: first.tenant, authorizationEndpoint: first.authorizationEndpoint }
      : {}),
    ...(date ? { date } : {}),
  };
}
