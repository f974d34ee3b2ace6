/**
 * What makes an Entra access token valid whatever the route: RS256 signed by a key the
 * provider publishes, the issuer its version and tenant call for, and within its times. Checked
 * once per token and then kept (`VerifiedTokens`) until the token expires; what a route adds
 * (audience, version, tenant, scopes, roles) is checked by the guard on every request.
 */
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
}

/** What the validator needs of the core. */
export interface ValidatorSettings {
  /** The configured authority host, e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  /** Seconds of clock difference allowed on `exp` and `nbf`. */
  readonly clockSkew: number;
  readonly metadata: Metadata;
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

/** One core's validator: its keys and its verified tokens, shared by every bearer guard. */
export class BearerValidator {
  readonly #keys: BearerKeys;
  readonly #verified: VerifiedTokens<VerifiedToken>;
  readonly #now: () => number;
  readonly #v2Prefix: string;
  readonly #v1Prefix: string;

  constructor(private readonly settings: ValidatorSettings) {
    this.#now = settings.now ?? Date.now;
    this.#keys = new BearerKeys(settings.metadata, this.#now);
    this.#verified = new VerifiedTokens(
      settings.cacheEntries ?? 10_000,
      settings.cacheChars ?? 16_000_000,
    );
    const host = settings.authorityHost.replace(/\/+$/, "");
    this.#v2Prefix = `${host}/`;
    this.#v1Prefix = `${V1_ISSUER_HOSTS[host.toLowerCase()] ?? V1_ISSUER_HOST}/`;
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
    if (known && this.#keys.held(known.kid)) return known;
    if (known) this.#verified.delete(token);
    const parts = splitToken(token);
    if (typeof parts === "string") return refusedToken(parts);
    const key = this.#keys.held(parts.kid);
    if (key) return this.#check(token, parts, key, nowMs, keeps);
    return this.#keys.find(parts.kid).then(
      (found) =>
        found ? this.#check(token, parts, found, this.#now(), keeps) : refusedToken("key_unknown"),
      () => KEYS_UNAVAILABLE,
    );
  }

  #check(
    token: string,
    parts: Exclude<ReturnType<typeof splitToken>, string>,
    key: Parameters<typeof verifies>[1],
    nowMs: number,
    keeps: (verified: VerifiedToken) => boolean,
  ): VerifiedToken | Refusal {
    if (!verifies(parts, key)) return refusedToken("signature");
    const claims = payloadOf(parts);
    if (!claims) return refusedToken("malformed");
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
    const now = nowMs / 1000;
    const skew = this.settings.clockSkew;
    if (now > exp + skew) return refusedToken("expired");
    if ((nbf !== undefined && nbf > now + skew) || iat > now + skew) {
      return refusedToken("not_yet_valid");
    }
    if (iss !== this.issuerOf(version, tid)) return refusedToken("issuer");
    const scopes = typeof scp === "string" ? scp.split(" ").filter(Boolean) : [];
    const verified: VerifiedToken = Object.freeze({
      kid: parts.kid,
      audiences: Object.freeze([aud]),
      caller: Object.freeze({
        kind,
        tenantId: tid.toLowerCase(),
        objectId: oid,
        appId,
        scopes: Object.freeze(scopes),
        roles: Object.freeze(
          Array.isArray(roles) ? roles.filter((r): r is string => typeof r === "string") : [],
        ),
        version,
        expiresAt: exp,
        claims: Object.freeze(claims),
      } satisfies Caller),
    });
    // Kept only when the route would take it: strangers' tokens are checked every time instead.
    // Weighed as the token and its decoded claims (about as many characters as its payload).
    if (keeps(verified)) {
      this.#verified.set(
        token,
        verified,
        exp * 1000,
        nowMs,
        token.length + parts.payloadSegment.length,
      );
    }
    return verified;
  }
}
