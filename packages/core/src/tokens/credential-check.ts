/**
 * What a configuration's credential is, checked as start-up checks it, for tools that report on a
 * configuration (`npx entrance doctor`) rather than stop at its first problem: the same rules as
 * {@link clientCredential}, and for a certificate its dates, so that one about to expire can be
 * named before it does.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { EntranceConfig } from "../config/schema.js";
import { EntranceError } from "../errors/entrance-error.js";
import { type CredentialKind, clientCredential } from "./credential.js";

/** What {@link inspectCredential} found. Never holds the secret or the private key. */
export interface CredentialInspection {
  /** The credential the configuration names; undefined when it names none. */
  readonly kind: CredentialKind | undefined;
  /** For a certificate that could be read: its dates and thumbprint. */
  readonly certificate?: {
    readonly subject: string;
    readonly validFrom: Date;
    readonly validTo: Date;
    /** SHA-256 thumbprint, lower-case hex without colons (as the app registration shows it). */
    readonly thumbprintSha256: string;
  };
  /** Why start-up would refuse it (as `config_invalid` says), or undefined when it would not. */
  readonly problem?: string;
}

/**
 * Checks the app's credential as start-up does (exactly one; a certificate readable, with its
 * key, RSA, current) and returns what it found instead of throwing. `hasClientAssertion`: the app
 * passes a `clientAssertion` callback, which only the app's code can say.
 *
 * @example
 * ```ts
 * const { kind, certificate, problem } = inspectCredential(loadConfig());
 * ```
 */
export function inspectCredential(
  config: EntranceConfig,
  hasClientAssertion = false,
  now = Date.now(),
): CredentialInspection {
  const certificate =
    config.clientCertificatePath === undefined
      ? undefined
      : certificateDates(config.clientCertificatePath);
  const named: CredentialKind | undefined =
    config.clientSecret !== undefined
      ? "secret"
      : config.clientCertificatePath !== undefined
        ? "certificate"
        : hasClientAssertion
          ? "assertion"
          : undefined;
  const found = { kind: named, ...(certificate ? { certificate } : {}) };
  try {
    // The credential itself (a secret, a private key) is dropped here: only its kind is kept.
    const { kind } = clientCredential(
      config,
      hasClientAssertion ? () => "unused.assertion.callback" : undefined,
      now,
    );
    return { ...found, kind };
  } catch (error) {
    if (!(error instanceof EntranceError)) throw error;
    return { ...found, problem: error.message.replace(/^[^\n]*\n\s*-\s*/, "") };
  }
}

/** The certificate's dates, or undefined when the file holds none that can be read. */
function certificateDates(path: string): CredentialInspection["certificate"] {
  try {
    const pem = readFileSync(path, "utf8");
    const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
    if (!block) return undefined;
    const certificate = new X509Certificate(block[0]);
    return {
      subject: certificate.subject,
      validFrom: new Date(certificate.validFrom),
      validTo: new Date(certificate.validTo),
      thumbprintSha256: certificate.fingerprint256.replaceAll(":", "").toLowerCase(),
    };
  } catch {
    return undefined;
  }
}
