import { type EntranceConfig, inspectCredential } from "@entrance/core";
import { type Finding, finding } from "../findings.js";

/** A certificate closer than this to its expiry is worth a warning. */
const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * The app's credential, checked as start-up checks it (`inspectCredential` from @entrance/core):
 * a client secret or certificate present, exactly one, and a certificate readable, with its key,
 * and current — with a warning a month before it expires.
 */
export function checkCredential(config: EntranceConfig, now = Date.now()): Finding[] {
  const { kind, certificate, problem } = inspectCredential(config, false, now);
  if (problem !== undefined) {
    const expired = certificate !== undefined && certificate.validTo.getTime() <= now;
    return [
      finding(
        "credential",
        expired
          ? "certificate_expired"
          : kind === "certificate"
            ? "certificate_invalid"
            : "credential_invalid",
        "error",
        problem,
        expired
          ? "create a new certificate, upload its public part to the app registration (Certificates & secrets) and point AZURE_CLIENT_CERTIFICATE_PATH at the new PEM (certificate and key)"
          : "set exactly one of AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (a PEM file with the certificate and its private key)",
      ),
    ];
  }
  if (kind === "certificate" && certificate) {
    const days = Math.floor((certificate.validTo.getTime() - now) / DAY_MS);
    const what = `a certificate (${certificate.subject}, SHA-256 thumbprint ${certificate.thumbprintSha256}), valid until ${certificate.validTo.toISOString()}`;
    if (days < EXPIRY_WARNING_DAYS) {
      return [
        finding(
          "credential",
          "certificate_expiring",
          "warning",
          `the app proves itself with ${what}: ${days} day(s) left.`,
          "upload a new certificate to the app registration now, then switch AZURE_CLIENT_CERTIFICATE_PATH to it (both stay valid meanwhile)",
        ),
      ];
    }
    return [
      finding("credential", "credential_certificate", "ok", `the app proves itself with ${what}.`),
    ];
  }
  return [
    finding(
      "credential",
      "credential_secret",
      "ok",
      "the app proves itself with a client secret (AZURE_CLIENT_SECRET); whether Entra accepts it is the token check's.",
    ),
  ];
}
