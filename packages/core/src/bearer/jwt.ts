/**
 * A compact JWS taken apart and its RS256 signature checked with node:crypto: the hot path of
 * `requireBearer`, kept free of jose (whose generic verify costs more than twice as much).
 */
import { type KeyObject, verify } from "node:crypto";

/** A token's parts, as far as they can be read before the signature is checked. */
export interface SignedToken {
  readonly kid: string;
  /** `header.payload`, what the signature covers. */
  readonly signingInput: string;
  readonly payloadSegment: string;
  readonly signature: Buffer;
  readonly signatureSegment: string;
}

/** Why a token's header was refused. */
export type HeaderRefusal = "malformed" | "algorithm";

/**
 * The parts of a token whose shape `bearerTokenOf` checked. Its header must name RS256 and a key
 * id, and carry no `crit` extension (none is understood here): `none`, HS256 (a public key used
 * as an HMAC secret) and every other algorithm are refused before any key is looked at.
 */
export function splitToken(token: string): SignedToken | HeaderRefusal {
  const first = token.indexOf(".");
  const second = token.indexOf(".", first + 1);
  const header = parseJson(token.slice(0, first));
  if (!header) return "malformed";
  if (header.alg !== "RS256") return "algorithm";
  if (typeof header.kid !== "string" || header.kid === "" || "crit" in header) return "malformed";
  const segment = token.slice(second + 1);
  return {
    kid: header.kid,
    signingInput: token.slice(0, second),
    payloadSegment: token.slice(first + 1, second),
    signature: Buffer.from(segment, "base64url"),
    signatureSegment: segment,
  };
}

/** Whether `key` (an RSA public key) signed the token with RSASSA-PKCS1-v1_5 and SHA-256. */
export function verifies(token: SignedToken, key: KeyObject): boolean {
  // One signature, one spelling: a segment whose unused last bits are set (or with padding or
  // the wrong length for the key) would verify as 16 distinct tokens, each its own cache entry.
  const bytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (
    token.signature.length !== bytes ||
    token.signature.toString("base64url") !== token.signatureSegment
  ) {
    return false;
  }
  try {
    return verify("sha256", Buffer.from(token.signingInput, "latin1"), key, token.signature);
  } catch {
    // A signature of the wrong length for the key, for one: not a valid signature either.
    return false;
  }
}

/** The payload of a token whose signature verified, or undefined when it is not a JSON object. */
export function payloadOf(token: SignedToken): Record<string, unknown> | undefined {
  return parseJson(token.payloadSegment);
}

function parseJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
