/**
 * Azure AD B2C as an authority kind: a `{name}.b2clogin.com` host (or a custom domain), the B2C
 * tenant, and one authority per policy (`{host}/{tenant}/{policy}`). B2C names no Entra cloud and
 * no workforce tenant, so its settings are checked here, beside clouds.ts and accounts.ts.
 *
 * Sources (Microsoft Learn, Azure AD B2C): "Overview of tokens" (the issuer
 * `https://{name}.b2clogin.com/{tenant id}/v2.0/`, `tfp`/`acr`), "Set up a password reset flow"
 * (AADB2C90118, and AADB2C90091 for a cancel), "Error codes: Azure Active Directory B2C",
 * "Configure authentication in a sample Node.js web application" (MSAL Node with
 * `knownAuthorities` and one authority per policy).
 */
import { z } from "zod";
import { cloudOfAuthority } from "./clouds.js";

/** A policy: a user flow (`B2C_1_…`) or a custom policy (`B2C_1A_…`). */
const policyName = (variable: string) =>
  z
    .string({ error: `set ${variable} to the B2C policy's name, e.g. B2C_1_signupsignin` })
    .regex(
      /^B2C_1A?_[A-Za-z0-9_.-]{1,100}$/i,
      `${variable} must be a B2C policy name: a user flow such as B2C_1_signupsignin or a custom policy such as B2C_1A_signup_signin`,
    );

/** The B2C policies an app uses. */
export const b2cSchema = z.strictObject({
  /** The sign-up and sign-in policy: every sign-in starts here. */
  signUpSignIn: policyName("AZURE_B2C_SIGN_UP_SIGN_IN_POLICY"),
  /** The password-reset policy, started when a person clicks "Forgot your password?". */
  resetPassword: policyName("AZURE_B2C_RESET_PASSWORD_POLICY").optional(),
  /** The profile-edit policy, which the profile link (`paths.profile`) starts. */
  editProfile: policyName("AZURE_B2C_EDIT_PROFILE_POLICY").optional(),
});

export type B2cPolicies = z.output<typeof b2cSchema>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/i;

/**
 * The B2C host of a tenant named by its initial domain: `contoso.onmicrosoft.com` signs in on
 * `https://contoso.b2clogin.com`. Undefined for a tenant id or another domain, which need
 * AZURE_AUTHORITY_HOST.
 */
export function b2cDefaultHost(tenantId: string): string | undefined {
  const name = /^([a-z0-9-]{1,63})\.onmicrosoft\.com$/i.exec(tenantId)?.[1];
  return name ? `https://${name.toLowerCase()}.b2clogin.com` : undefined;
}

/** Problems with the tenant, host and accounts of a B2C app, each naming its fix. */
export function b2cProblems(config: {
  readonly tenantId: string;
  readonly authorityHost: string;
  readonly accounts: string;
  readonly allowedTenants: readonly string[];
}): string[] {
  const problems: string[] = [];
  const tenant = config.tenantId;
  if (
    !GUID.test(tenant) &&
    !(DOMAIN.test(tenant) && !/^(common|organizations|consumers)$/i.test(tenant))
  ) {
    problems.push(
      "tenantId (AZURE_TENANT_ID): with a B2C policy set, the tenant must be the B2C tenant's domain (contoso.onmicrosoft.com) or its id (a GUID); common, organizations and consumers are not B2C tenants",
    );
  }
  const cloud = cloudOfAuthority(config.authorityHost);
  if (cloud) {
    problems.push(
      `authorityHost (AZURE_AUTHORITY_HOST): ${new URL(config.authorityHost).host} is Entra ID's sign-in host, not B2C's; set it to https://{your tenant name}.b2clogin.com (or your B2C custom domain)`,
    );
  }
  if (config.accounts !== "work-or-school") {
    problems.push(
      "accounts (ENTRANCE_ACCOUNTS): a B2C tenant has its own customers, never personal Microsoft accounts by this setting; leave ENTRANCE_ACCOUNTS unset",
    );
  }
  if (config.allowedTenants.length > 0) {
    problems.push(
      "allowedTenants (ENTRANCE_ALLOWED_TENANTS): a B2C app signs in the users of its one tenant; leave it unset",
    );
  }
  return problems;
}

/** The authority of one policy: `{authorityHost}/{tenant}/{policy}`, as MSAL takes it. */
export function policyAuthority(
  config: { readonly authorityHost: string; readonly tenantId: string },
  policy: string,
): string {
  return `${config.authorityHost}/${config.tenantId}/${policy}`;
}

/**
 * The policy a B2C token names, its A–Z letters lower-cased, or why it names none: `claims` when
 * `tfp` or `acr` is there but not a string, or neither is there; `policy` when both are there and
 * name two policies. B2C sends the policy in `tfp` or in `acr` (the user flow's "claim
 * representing user flow" setting; a custom policy can be made to send both, then alike), so two
 * that disagree leave the choice of policy to whoever made the token. Only ASCII letters are
 * folded: policy names are ASCII, and `toLowerCase` turns the Kelvin sign (U+212A) into a `k`, so
 * a name that only looks like one of the app's policies would match it.
 */
export function tokenPolicy(claims: Readonly<Record<string, unknown>>): string | PolicyProblem {
  const { tfp, acr } = claims;
  if (
    (tfp !== undefined && typeof tfp !== "string") ||
    (acr !== undefined && typeof acr !== "string")
  ) {
    return { problem: "claims" };
  }
  const named = tfp ?? acr;
  if (named === undefined) return { problem: "claims" };
  const policy = asciiLower(named);
  if (tfp !== undefined && acr !== undefined && asciiLower(acr) !== policy) {
    return { problem: "policy" };
  }
  return policy;
}

/** Why a token names no usable policy (see {@link tokenPolicy}). */
export interface PolicyProblem {
  readonly problem: "claims" | "policy";
}

/** `text` with A–Z lower-cased and every other character as it is: how policy names compare. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
