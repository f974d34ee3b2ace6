import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import { type JWTPayload, SignJWT } from "jose";
import { createSelfSignedCertificate } from "../pki/certificates.js";

const DAY_MS = 86_400_000;

/** A certificate credential for a test: what an app registration gets, and what the app keeps. */
export interface TestCertificate {
  /** The certificate, PEM: put it in the app registration's `certificates`. */
  readonly certPem: string;
  /** The private key, PKCS#8 PEM: the app signs its client assertions with it. */
  readonly keyPem: string;
  /** SHA-1 thumbprint, hex (MSAL's `clientCertificate.thumbprint`, the `x5t` header). */
  readonly thumbprint: string;
  /** SHA-256 thumbprint, hex (MSAL's `clientCertificate.thumbprintSha256`, `x5t#S256`). */
  readonly thumbprintSha256: string;
}

/**
 * Makes a self-signed RSA certificate and its key for a test, valid from a day ago for a year
 * unless `validFrom`/`validTo` say otherwise (an expired one tests refusal).
 *
 * @example
 * const cert = await createTestCertificate();
 * emulator.control.putApp("contoso.onmicrosoft.com", { clientId, displayName: "Daemon", certificates: [cert.certPem] });
 * new ConfidentialClientApplication({ auth: { clientId, authority, knownAuthorities,
 *   clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.keyPem } } });
 */
export async function createTestCertificate(
  options: { readonly subject?: string; readonly validFrom?: Date; readonly validTo?: Date } = {},
): Promise<TestCertificate> {
  const now = Date.now();
  const pair = await createSelfSignedCertificate({
    subject: options.subject ?? "CN=entrance-emulator-test-client",
    notBefore: options.validFrom ?? new Date(now - DAY_MS),
    notAfter: options.validTo ?? new Date(now + 365 * DAY_MS),
  });
  const der = new X509Certificate(pair.certPem).raw;
  return {
    ...pair,
    thumbprint: createHash("sha1").update(der).digest("hex"),
    thumbprintSha256: createHash("sha256").update(der).digest("hex"),
  };
}

export interface ClientAssertionOptions {
  readonly clientId: string;
  /** The token endpoint the assertion is for (its `aud`). */
  readonly audience: string;
  /** Default `RS256` with `x5t`; MSAL Node sends `PS256` with `x5t#S256` for a SHA-256 thumbprint. */
  readonly algorithm?: "RS256" | "PS256";
  readonly thumbprintHeader?: "x5t" | "x5t#S256";
  /** Seconds from now to `exp` (negative for an expired assertion). Default 600. */
  readonly expiresIn?: number;
  /** Claims to add or override (`iss`, `sub`, `aud`, `jti`, …). */
  readonly claims?: JWTPayload;
}

/**
 * Signs a client assertion (private_key_jwt) with a test certificate's key, as an app or a
 * workload identity would: `iss` = `sub` = client id, `aud`, `exp`, `nbf`, `iat`, a fresh `jti`.
 */
export function signClientAssertion(
  certificate: Pick<TestCertificate, "certPem" | "keyPem">,
  options: ClientAssertionOptions,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header = options.thumbprintHeader ?? "x5t";
  const der = new X509Certificate(certificate.certPem).raw;
  const thumbprint = createHash(header === "x5t" ? "sha1" : "sha256")
    .update(der)
    .digest("base64url");
  return new SignJWT({
    aud: options.audience,
    iss: options.clientId,
    sub: options.clientId,
    jti: crypto.randomUUID(),
    nbf: now,
    iat: now,
    exp: now + (options.expiresIn ?? 600),
    ...options.claims,
  })
    .setProtectedHeader({ alg: options.algorithm ?? "RS256", typ: "JWT", [header]: thumbprint })
    .sign(createPrivateKey(certificate.keyPem));
}
