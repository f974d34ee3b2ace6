/**
 * Azure AD B2C's policies as authorities: each policy has its own discovery document, keys and
 * MSAL client, and its ID tokens follow B2C's rules (tokens/id-token.ts has Entra's).
 */
import type { ConfidentialClientApplication } from "@azure/msal-node";
import { asciiLower, type B2cPolicies, policyAuthority, tokenPolicy } from "../config/b2c.js";
import type { EntranceConfig } from "../config/schema.js";
import type { NetworkClient } from "../http/network.js";
import type { ClientCredential } from "./credential.js";
import { checkAuthorizedParty, type IdTokenClaims, invalid, verifySignature } from "./id-token.js";
import { Metadata } from "./metadata.js";
import { msalClient } from "./msal.js";

/** The configured policies, each with its metadata (read when first needed) and MSAL clients. */
export class B2cAuthorities {
  readonly #metadata = new Map<string, { authority: string; metadata: Metadata }>();

  constructor(
    private readonly config: EntranceConfig & { readonly b2c: B2cPolicies },
    private readonly credential: ClientCredential,
    private readonly network: NetworkClient,
    /** The sign-up/sign-in policy's metadata, which the rest of the core uses too. */
    signUpSignIn: Metadata,
  ) {
    const { b2c } = config;
    for (const policy of [b2c.signUpSignIn, b2c.resetPassword, b2c.editProfile]) {
      if (!policy) continue;
      const authority = policyAuthority(config, policy);
      const metadata =
        policy === b2c.signUpSignIn ? signUpSignIn : new Metadata(authority, network);
      this.#metadata.set(policy.toLowerCase(), { authority, metadata });
    }
  }

  /** Whether `policy` is one of the app's (a transaction may outlive a configuration change). */
  has(policy: string): boolean {
    return this.#metadata.has(policy.toLowerCase());
  }

  metadata(policy: string): Metadata {
    return this.#entry(policy).metadata;
  }

  /** An MSAL client on the policy's authority, holding at most one user's cache. */
  async client(policy: string, cache?: string): Promise<ConfidentialClientApplication> {
    const { authority, metadata } = this.#entry(policy);
    return msalClient(
      this.config,
      this.credential,
      authority,
      this.network,
      await metadata.raw(),
      cache,
    );
  }

  #entry(policy: string) {
    const entry = this.#metadata.get(policy.toLowerCase());
    if (!entry) throw new RangeError(`${policy} is not one of this app's B2C policies`);
    return entry;
  }
}

/** What a B2C ID token must be. */
export interface B2cTokenExpectations {
  readonly clientId: string;
  readonly nonce: string;
  /** The policy the sign-in was started with: the token's `tfp` or `acr` must name it. */
  readonly policy: string;
  readonly clockSkew: number;
  readonly now?: Date;
}

/** The B2C issuer's path: `/{tenant id}/v2.0/`. */
const ISSUER_PATH = /^\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/$/i;

/**
 * The tenant id (lower case) a B2C issuer names, when it has B2C's shape
 * (`https://{host}/{tenant id}/v2.0/`, trailing `/` included); undefined for any other issuer,
 * such as Entra ID's `…/v2.0` or its `{tenantid}` template.
 */
export function b2cIssuerTenant(issuer: string): string | undefined {
  if (!URL.canParse(issuer)) return undefined;
  return ISSUER_PATH.exec(new URL(issuer).pathname)?.[1]?.toLowerCase();
}

/**
 * Validates a B2C ID token: RS256 by a key of the policy's JWKS, audience and `azp`, times, the
 * nonce, the issuer exactly as the policy's metadata says (B2C's `…/{tenant id}/v2.0/`: no
 * `{tenantid}` template, so a workforce token's issuer never matches), and the policy in `tfp`
 * (or `acr`, for user flows set to it) being the one this sign-in started — a token of another
 * policy or another app is refused. The user's key is (`tid`, `oid`), `tid` from the issuer (and
 * equal to the `tid` claim when one is sent) and `oid` falling back to `sub`, which B2C's user
 * flows set to the object id by default.
 */
export async function validateB2cIdToken(
  token: string,
  metadata: Metadata,
  expected: B2cTokenExpectations,
): Promise<IdTokenClaims> {
  const payload = await verifySignature(token, metadata, expected);
  const { iss, sub, iat, oid, tid } = payload;
  const issuer = (await metadata.document()).issuer;
  if (iss !== issuer) throw invalid(`its issuer ${String(iss)} is not ${issuer}`);
  const tenant = b2cIssuerTenant(issuer);
  if (!tenant) throw invalid(`the B2C issuer ${issuer} names no tenant id`);
  if (
    tid !== undefined &&
    (typeof tid !== "string" || tid.toLowerCase() !== tenant.toLowerCase())
  ) {
    throw invalid("its tid claim is not the tenant of its issuer");
  }
  if (typeof sub !== "string" || !sub) throw invalid("it has no sub claim");
  if (oid !== undefined && (typeof oid !== "string" || !oid))
    throw invalid("its oid claim is empty");
  if (typeof iat !== "number") throw invalid("it has no iat claim");
  const now = Math.floor((expected.now ?? new Date()).getTime() / 1000);
  if (iat > now + expected.clockSkew) throw invalid("it was issued in the future");
  checkAuthorizedParty(payload, expected.clientId);
  const policy = tokenPolicy(payload);
  if (typeof policy !== "string") {
    throw invalid(
      policy.problem === "claims"
        ? "it names no B2C policy (tfp or acr, a string)"
        : "its tfp and acr name two policies",
    );
  }
  if (policy !== asciiLower(expected.policy)) {
    throw invalid(`it was issued by another policy than ${expected.policy}`);
  }
  if (payload.nonce !== expected.nonce)
    throw invalid("its nonce does not match the sign-in request");
  return { ...payload, tid: tenant.toLowerCase(), oid: oid ?? sub, sub, iss } as IdTokenClaims;
}

/** The first of B2C's `emails`, for display (B2C sends an array, not Entra's `email`). */
export function b2cEmail(claims: IdTokenClaims): string | null {
  const emails = (claims as { emails?: unknown }).emails;
  return Array.isArray(emails) && typeof emails[0] === "string" ? emails[0] : null;
}

/**
 * Whether an MSAL home account id is `user`'s as B2C forms it: `{object id}-{policy}.{tenant id}`
 * (B2C's `client_info` carries the policy in `uid`), where Entra ID's is `{object id}.{tenant id}`.
 */
export function isB2cAccountOf(
  homeAccountId: unknown,
  user: { readonly objectId: string; readonly tenantId: string },
): boolean {
  if (typeof homeAccountId !== "string") return false;
  const id = homeAccountId.toLowerCase();
  const prefix = `${user.objectId.toLowerCase()}-`;
  const suffix = `.${user.tenantId.toLowerCase()}`;
  if (!id.startsWith(prefix) || !id.endsWith(suffix)) return false;
  const policy = id.slice(prefix.length, id.length - suffix.length);
  return /^b2c_1a?_[a-z0-9_-]{1,100}$/.test(policy);
}
