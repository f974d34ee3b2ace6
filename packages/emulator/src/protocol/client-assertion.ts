import { createHash, X509Certificate } from "node:crypto";
import { compactVerify, decodeProtectedHeader, type JWTPayload } from "jose";
import type { AppRegistration } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import { servedCiamHost } from "./ciam-hosts.js";
import { EntraError } from "./errors.js";
import { type Authority, resolveAuthority } from "./tenants.js";

/** The only `client_assertion_type` Entra accepts. */
export const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Entra lets a client's clock run this far from its own when it checks `exp` and `nbf`. */
const CLOCK_SKEW_SECONDS = 300;

const ALGORITHMS = ["RS256", "PS256"];

/**
 * Checks a certificate credential (private_key_jwt): signed with RS256 or PS256 by the key of a
 * certificate registered on the app, found by its `x5t` (SHA-1) or `x5t#S256` thumbprint;
 * `iss` = `sub` = the client id; `aud` = this token endpoint; within `nbf`…`exp`. Entra accepts
 * the same assertion more than once while it is valid (MSAL Node reuses one for ten minutes), so
 * `jti` is not checked for replay. Throws the AADSTS error Entra gives for each failure.
 */
export async function verifyClientAssertion(
  ctx: EmulatorContext,
  app: AppRegistration,
  authority: Authority,
  assertion: string,
): Promise<void> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw invalid(app, "The assertion is not a signed JWT.");
  }
  if (typeof header.alg !== "string" || !ALGORITHMS.includes(header.alg)) {
    throw invalid(
      app,
      `The algorithm '${String(header.alg)}' is not supported; use RS256 or PS256.`,
    );
  }
  const sha256 = header["x5t#S256"];
  const sha1 = header.x5t;
  const wanted =
    typeof sha256 === "string"
      ? { hash: "sha256", value: sha256 }
      : typeof sha1 === "string"
        ? { hash: "sha1", value: sha1 }
        : undefined;
  if (!wanted) throw invalid(app, "The assertion names no certificate: send x5t#S256 or x5t.");
  const certificate = app.certificates
    .map((pem) => new X509Certificate(pem))
    .find((cert) => createHash(wanted.hash).update(cert.raw).digest("base64url") === wanted.value);
  if (!certificate) {
    throw invalid(
      app,
      `The key was not found. No certificate with the thumbprint in ${wanted.hash === "sha256" ? "x5t#S256" : "x5t"} is registered for the app.`,
    );
  }
  const now = ctx.clock.seconds();
  if (
    Date.parse(certificate.validTo) / 1000 < now ||
    Date.parse(certificate.validFrom) / 1000 > now
  ) {
    throw invalid(app, "The key used is expired or not yet valid.");
  }
  let payload: JWTPayload;
  try {
    const verified = await compactVerify(assertion, certificate.publicKey, {
      algorithms: [header.alg],
    });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as JWTPayload;
  } catch {
    throw invalid(app, "Client assertion failed signature validation.");
  }
  if (payload.iss !== app.clientId || payload.sub !== app.clientId) {
    throw new EntraError(
      700021,
      "invalid_client",
      `Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
      401,
    );
  }
  if (!audienceMatches(ctx, payload.aud, authority)) {
    throw new EntraError(
      700023,
      "invalid_client",
      "Client assertion audience claim does not match Realm issuer. Use this token endpoint's URL as 'aud'.",
      401,
    );
  }
  const late = typeof payload.exp !== "number" || payload.exp + CLOCK_SKEW_SECONDS <= now;
  const early = typeof payload.nbf === "number" && payload.nbf - CLOCK_SKEW_SECONDS > now;
  if (late || early) {
    throw new EntraError(
      700024,
      "invalid_client",
      `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, assertion valid from ${stamp(payload.nbf)}, expiry time of assertion ${stamp(payload.exp)}.`,
      401,
    );
  }
}

function invalid(app: AppRegistration, reason: string): EntraError {
  return new EntraError(
    700027,
    "invalid_client",
    `Client assertion contains an invalid signature. [Reason - ${reason}, Client app ID: ${app.clientId}]`,
    401,
  );
}

function stamp(seconds: unknown): string {
  return typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : "(absent)";
}

/** `aud` must be this token endpoint (v2.0, or the v1 path), for the same tenant or alias. */
function audienceMatches(ctx: EmulatorContext, aud: unknown, authority: Authority): boolean {
  const audiences = Array.isArray(aud) ? aud : [aud];
  return audiences.some((value) => {
    if (typeof value !== "string" || !URL.canParse(value)) return false;
    const url = new URL(value);
    if (url.origin !== (servedCiamHost()?.origin ?? ctx.urls.https)) return false;
    const match = /^\/([^/]+)\/oauth2\/(?:v2\.0\/)?token\/?$/.exec(url.pathname);
    const named = match?.[1] ? resolveAuthority(ctx, decodeURIComponent(match[1])) : undefined;
    if (!named) return false;
    return named.kind === "tenant"
      ? authority.kind === "tenant" && authority.tenant.id === named.tenant.id
      : authority.kind === "alias" && authority.alias === named.alias;
  });
}
