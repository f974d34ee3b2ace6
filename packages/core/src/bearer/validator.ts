/**
 * What makes an Entra access token valid whatever the route: RS256 signed by a key the
 * provider publishes, the issuer its version and tenant call for, and within its times. Checked
 * once per token and then kept (`VerifiedTokens`) until the token expires; what a route adds
 * (audience, version, tenant, scopes, roles) is checked by the guard on every request. An Azure
 * AD B2C app's tokens follow B2C's rules instead (issuer, tenant, policy: `#b2cCaller`), and each
 * is verified with the keys of the policy it names (`#b2cPolicyOf`): B2C publishes keys per
 * policy, and a custom policy signs with a key container of its own.
 */
import { asciiLower, tokenPolicy } from "../config/b2c.js";
import { b2cIssuerTenant } from "../tokens/b2c.js";
import type { Metadata } from "../tokens/metadata.js";
import type { Caller } from "./caller.js";
import { payloadOf, splitToken, verifies } from "./jwt.js";
import { BearerKeys } from "./keys.js";
import { KEYS_UNAVAILABLE, type Refusal, refusedToken } from "./refusals.js";
import { VerifiedTokens } from "./verified-cache.js";

/** A token that passed the route-independent checks. */
export interface VerifiedToken {
  readonly caller: Caller;
  readonly audiences: readonly string[];
  /** The id of the key that signed it: the token stops counting when the key is not published. */
  readonly kid: string;
  /** In a B2C app, the policy (lower case) whose published keys hold `kid`. */
  readonly policy?: string;
}

/** What the validator needs of the core. */
export interface ValidatorSettings {
  /** The configured authority host, e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  /** Seconds of clock difference allowed on `exp` and `nbf`. */
  readonly clockSkew: number;
  readonly metadata: Metadata;
  /**
   * For an Azure AD B2C app, its policies (`b2c.*`): tokens follow B2C's rules (see `#b2cCaller`)
   * and name one of these in `tfp` or `acr`. `metadata` is then the sign-up/sign-in policy's.
   */
  readonly b2cPolicies?: readonly string[];
  /**
   * In a B2C app, the metadata (discovery document and keys) of one of `b2cPolicies`; default
   * `metadata` for every policy. Asked once per policy, when the validator is built.
   */
  readonly b2cMetadata?: (policy: string) => Metadata;
  /**
   * Why an issuer does not fit the kind of app (workforce or External ID), or undefined: the
   * ID-token rule (`issuerKindProblem` in config/external-id.ts), applied to access tokens too.
   */
  readonly issuerKind?: (iss: string, tid: string) => string | undefined;
  /** Tokens kept verified, at most (default 10,000) and their characters (default 16 million). */
  readonly cacheEntries?: number;
  readonly cacheChars?: number;
  readonly now?: () => number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TENANT_ID = "{tenantid}";

/** `https://host/{tenantid}/v2.0` from a discovery document's issuer; undefined if not that shape. */
function issuerTemplate(issuer: string): string | undefined {
  const match = /^(https:\/\/[^/]+\/)[^/]+(\/v2\.0)$/.exec(issuer);
  return match ? `${match[1]}${TENANT_ID}${match[2]}` : undefined;
}

/**
 * Whose token this is, or undefined when it is no access token of either kind. A user's carries
 * `scp`. An app's says `idtyp: "app"`, or (that claim is optional) has `roles`, no `scp`, and the
 * app's service principal as both `oid` and `sub`: an ID token has `roles` and no `scp` too, but
 * its `sub` is pairwise. A `nonce` marks an ID token; a token with neither `scp` nor `roles`
 * grants nothing and is refused.
 */
function kindOf(claims: Record<string, unknown>): "user" | "app" | undefined {
  const { scp, roles, idtyp, oid, sub } = claims;
  if ("nonce" in claims) return undefined;
  const hasRoles = Array.isArray(roles);
  if (typeof scp === "string") return idtyp === "app" ? undefined : "user";
  if (!hasRoles) return undefined;
  return idtyp === "app" || (idtyp === undefined && oid === sub) ? "app" : undefined;
}

/**
 * v1.0 tokens name the cloud's security token service, not the sign-in host:
 * `https://sts.windows.net/{tid}/` for the public cloud and US Government (and the emulator,
 * which issues Entra's literal string), `https://sts.chinacloudapi.cn/{tid}/` for the cloud
 * operated by 21Vianet.
 */
const V1_ISSUER_HOSTS: Readonly<Record<string, string>> = {
  "https://login.chinacloudapi.cn": "https://sts.chinacloudapi.cn",
  "https://login.partner.microsoftonline.cn": "https://sts.chinacloudapi.cn",
};
const V1_ISSUER_HOST = "https://sts.windows.net";

/** A B2C policy of the app, with the metadata and keys its tokens are verified with. */
interface B2cPolicy {
  /** The name in lower case. */
  readonly name: string;
  readonly metadata: Metadata;
  readonly keys: BearerKeys;
}

type Parts = Exclude<ReturnType<typeof splitToken>, string>;

/** One core's validator: its keys and its verified tokens, shared by every bearer guard. */
export class BearerValidator {
  readonly #keys: BearerKeys;
  readonly #verified: VerifiedTokens<VerifiedToken>;
  readonly #now: () => number;
  readonly #v2Prefix: string;
  readonly #v1Prefix: string;
  /** In a B2C app, its policies by lower-case name; undefined in any other app. */
  readonly #b2cPolicies: ReadonlyMap<string, B2cPolicy> | undefined;

  constructor(private readonly settings: ValidatorSettings) {
    this.#now = settings.now ?? Date.now;
    this.#keys = new BearerKeys(settings.metadata, this.#now);
    this.#b2cPolicies = settings.b2cPolicies && this.#b2cPoliciesOf(settings.b2cPolicies);
    this.#verified = new VerifiedTokens(
      settings.cacheEntries ?? 10_000,
      settings.cacheChars ?? 16_000_000,
    );
    const host = settings.authorityHost.replace(/\/+$/, "");
    this.#v2Prefix = `${host}/`;
    this.#v1Prefix = `${V1_ISSUER_HOSTS[host.toLowerCase()] ?? V1_ISSUER_HOST}/`;
  }

  /**
   * Each policy with its metadata and keys. Policies that share a `Metadata` share its
   * `BearerKeys` (the sign-up/sign-in policy's are the core's own), so a failed fetch backs off
   * once for them all.
   */
  #b2cPoliciesOf(names: readonly string[]): ReadonlyMap<string, B2cPolicy> {
    const keysByMetadata = new Map<Metadata, BearerKeys>([[this.settings.metadata, this.#keys]]);
    const policies = new Map<string, B2cPolicy>();
    for (const policy of names) {
      const metadata = this.settings.b2cMetadata?.(policy) ?? this.settings.metadata;
      let keys = keysByMetadata.get(metadata);
      if (!keys) {
        keys = new BearerKeys(metadata, this.#now);
        keysByMetadata.set(metadata, keys);
      }
      const name = asciiLower(policy);
      policies.set(name, { name, metadata, keys });
    }
    return policies;
  }

  /**
   * The issuer a token of this version and tenant must carry. For v2.0, the discovery document's
   * (Entra's own spelling of its host, whatever alias or letter case was configured), its tenant
   * segment replaced: `{tenantid}` for `organizations`/`common`, the GUID for a tenant's own.
   */
  issuerOf(version: 1 | 2, tenantId: string): string {
    if (version === 1) return `${this.#v1Prefix}${tenantId}/`;
    const issuer = this.settings.metadata.cached()?.issuer;
    const template = issuer === undefined ? undefined : issuerTemplate(issuer);
    return template ? template.replace(TENANT_ID, tenantId) : `${this.#v2Prefix}${tenantId}/v2.0`;
  }

  /**
   * The verified token, or why it is refused. Synchronous when the token was verified before or
   * its key is held; a promise only when the keys must be fetched.
   */
  verify(
    token: string,
    keeps: (verified: VerifiedToken) => boolean,
  ): VerifiedToken | Refusal | Promise<VerifiedToken | Refusal> {
    const nowMs = this.#now();
    const known = this.#verified.get(token, nowMs);
    // Asking for the key also renews a day-old key set in the background; once a set without
    // the key replaced it, the token is checked again (and refused as signed by an unknown key).
    const knownKeys =
      known?.policy === undefined ? this.#keys : this.#b2cPolicies?.get(known.policy)?.keys;
    if (known && knownKeys?.held(known.kid)) return known;
    if (known) this.#verified.delete(token);
    const parts = splitToken(token);
    if (typeof parts === "string") return refusedToken(parts);
    let policy: B2cPolicy | undefined;
    let claims: Record<string, unknown> | undefined;
    if (this.#b2cPolicies) {
      claims = payloadOf(parts);
      if (!claims) return refusedToken("malformed");
      const named = this.#b2cPolicyOf(claims, this.#b2cPolicies);
      if ("reason" in named) return named;
      policy = named;
    }
    const keys = policy?.keys ?? this.#keys;
    const key = keys.held(parts.kid);
    if (key) return this.#check(token, parts, key, nowMs, keeps, policy, claims);
    return keys.find(parts.kid).then(
      (found) =>
        found
          ? this.#check(token, parts, found, this.#now(), keeps, policy, claims)
          : refusedToken("key_unknown"),
      () => KEYS_UNAVAILABLE,
    );
  }

  /**
   * The policy whose keys verify a B2C token, read from its unverified `tfp` (or `acr`) as B2C's
   * documentation says to: each policy publishes its keys in its own metadata, and a custom
   * policy signs with a key of its own. Only a policy of the app is taken; any other name (one a
   * forger chose) is refused here, before any metadata is fetched for it. These claims are the
   * payload the signature then covers (`#check` reads them no second time), so the policy picked
   * is the one the verified token names.
   */
  #b2cPolicyOf(
    claims: Record<string, unknown>,
    policies: ReadonlyMap<string, B2cPolicy>,
  ): B2cPolicy | Refusal {
    const named = tokenPolicy(claims);
    if (typeof named !== "string") return refusedToken(named.problem);
    return policies.get(named) ?? refusedToken("policy");
  }

  #check(
    token: string,
    parts: Parts,
    key: Parameters<typeof verifies>[1],
    nowMs: number,
    keeps: (verified: VerifiedToken) => boolean,
    policy?: B2cPolicy,
    read?: Record<string, unknown>,
  ): VerifiedToken | Refusal {
    if (!verifies(parts, key)) return refusedToken("signature");
    // The claims read to pick the policy's keys are those of the payload that just verified.
    const claims = read ?? payloadOf(parts);
    if (!claims) return refusedToken("malformed");
    // A policy is picked in B2C apps only, for every token: B2C's rules, or else Entra ID's.
    const caller = policy
      ? this.#b2cCaller(claims, policy, nowMs)
      : this.#entraCaller(claims, nowMs);
    if ("reason" in caller) return caller;
    const verified: VerifiedToken = Object.freeze({
      kid: parts.kid,
      audiences: Object.freeze([claims.aud as string]),
      caller,
      ...(policy ? { policy: policy.name } : {}),
    });
    // Kept only when the route would take it: strangers' tokens are checked every time instead.
    // Weighed as the token and its decoded claims (about as many characters as its payload).
    if (keeps(verified)) {
      this.#verified.set(
        token,
        verified,
        caller.expiresAt * 1000,
        nowMs,
        token.length + parts.payloadSegment.length,
      );
    }
    return verified;
  }

  /** The times every token must be within, or why not. */
  #timely(exp: number, nbf: unknown, iat: number, nowMs: number): Refusal | undefined {
    const now = nowMs / 1000;
    const skew = this.settings.clockSkew;
    if (now > exp + skew) return refusedToken("expired");
    if ((typeof nbf === "number" && nbf > now + skew) || iat > now + skew) {
      return refusedToken("not_yet_valid");
    }
    return undefined;
  }

  /** The caller of an Entra ID (workforce or External ID) access token, or why it is refused. */
  #entraCaller(claims: Record<string, unknown>, nowMs: number): Caller | Refusal {
    const { exp, nbf, iat, tid, oid, sub, ver, iss, aud, scp, roles } = claims;
    const appId = claims.azp ?? claims.appid;
    const version = ver === "2.0" ? 2 : ver === "1.0" ? 1 : undefined;
    const kind = kindOf(claims);
    if (
      typeof exp !== "number" ||
      typeof iat !== "number" ||
      (nbf !== undefined && typeof nbf !== "number") ||
      typeof sub !== "string" ||
      sub === "" ||
      // Entra puts one audience in an access token: an array is not one of its tokens.
      typeof aud !== "string" ||
      kind === undefined ||
      typeof tid !== "string" ||
      !GUID.test(tid) ||
      typeof oid !== "string" ||
      oid === "" ||
      typeof appId !== "string" ||
      version === undefined
    ) {
      return refusedToken("claims");
    }
    const untimely = this.#timely(exp, nbf, iat, nowMs);
    if (untimely) return untimely;
    if (typeof iss !== "string" || iss !== this.issuerOf(version, tid)) {
      return refusedToken("issuer");
    }
    if (this.settings.issuerKind?.(iss, tid.toLowerCase()) !== undefined) {
      return refusedToken("issuer");
    }
    return callerOf(claims, {
      kind,
      tenantId: tid,
      objectId: oid,
      appId,
      version,
      expiresAt: exp,
      scp,
      roles,
    });
  }

  /**
   * The caller of an Azure AD B2C access token, or why it is refused. B2C's tokens differ from
   * Entra ID's: the issuer is the policy document's own (`https://{host}/{tenant id}/v2.0/`, no
   * `{tenantid}` template, a trailing slash) and names the tenant, `tid` is often absent (and must
   * agree when sent), `ver` is "1.0" though the issuer is B2C's v2.0 endpoint, `nonce` may be
   * there (it comes from the authorize request), `oid` falls back to `sub` as in the ID token
   * rule, and the policy (`tfp`, or `acr`) is `verifiedWith`, one of the app's, picked from these
   * very claims (`#b2cPolicyOf`), whose keys verified it and whose discovery document names the
   * issuer. A token without `scp` is
   * refused. Customers' and apps' tokens both carry `scp` (an app's: its application
   * permissions), so the caller is a user's here and the route decides (b2c-callers.ts).
   */
  #b2cCaller(
    claims: Record<string, unknown>,
    verifiedWith: B2cPolicy,
    nowMs: number,
  ): Caller | Refusal {
    const { exp, nbf, iat, tid, oid, sub, ver, iss, aud, scp, azp } = claims;
    const objectId = oid ?? sub;
    if (
      typeof exp !== "number" ||
      typeof iat !== "number" ||
      (nbf !== undefined && typeof nbf !== "number") ||
      typeof sub !== "string" ||
      sub === "" ||
      typeof aud !== "string" ||
      typeof scp !== "string" ||
      typeof objectId !== "string" ||
      objectId === "" ||
      typeof azp !== "string" ||
      (ver !== "1.0" && ver !== "2.0") ||
      (tid !== undefined && typeof tid !== "string")
    ) {
      return refusedToken("claims");
    }
    const untimely = this.#timely(exp, nbf, iat, nowMs);
    if (untimely) return untimely;
    const issuer = verifiedWith.metadata.cached()?.issuer;
    const tenant = issuer === undefined ? undefined : b2cIssuerTenant(issuer);
    if (iss !== issuer || !tenant) return refusedToken("issuer");
    if (tid !== undefined && tid.toLowerCase() !== tenant) return refusedToken("issuer");
    return callerOf(claims, {
      kind: "user",
      tenantId: tenant,
      objectId,
      appId: azp,
      // The issuer is B2C's v2.0 endpoint whatever `ver` says: `versions` reads it so.
      version: 2,
      expiresAt: exp,
      scp,
      roles: undefined,
    });
  }
}

/** The frozen caller of checked claims. */
function callerOf(
  claims: Record<string, unknown>,
  checked: {
    kind: "user" | "app";
    tenantId: string;
    objectId: string;
    appId: string;
    version: 1 | 2;
    expiresAt: number;
    scp: unknown;
    roles: unknown;
  },
): Caller {
  const { scp, roles } = checked;
  return Object.freeze({
    kind: checked.kind,
    tenantId: checked.tenantId.toLowerCase(),
    objectId: checked.objectId,
    appId: checked.appId,
    scopes: Object.freeze(typeof scp === "string" ? scp.split(" ").filter(Boolean) : []),
    roles: Object.freeze(
      Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [],
    ),
    version: checked.version,
    expiresAt: checked.expiresAt,
    claims: Object.freeze(claims),
  } satisfies Caller);
}
