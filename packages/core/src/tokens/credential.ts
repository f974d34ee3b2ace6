/**
 * How the app proves who it is to Entra's token endpoint: a client secret, a certificate (a PEM
 * file with the certificate and its private key), or a client assertion from a callback
 * (workload identity federation, managed identity). Exactly one, checked at start-up, and used
 * by every flow: the code redemption, refreshes, on-behalf-of and app-only tokens.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ClientAssertionCallback } from "@azure/msal-node";
import type { EntranceConfig } from "../config/schema.js";
import { EntranceError } from "../errors/entrance-error.js";
import type { EntranceOptions } from "../options.js";

/** What MSAL's `auth` gets for the app's credential. */
export type ClientCredential =
  | { readonly clientSecret: string }
  | {
      readonly clientCertificate: {
        readonly thumbprintSha256: string;
        readonly privateKey: string;
      };
    }
  | { readonly clientAssertion: ClientAssertionCallback };

/** Which kind of credential the app uses, for messages and health. */
export type CredentialKind = "secret" | "certificate" | "assertion";

const HOW =
  "set exactly one of AZURE_CLIENT_SECRET (clientSecret), AZURE_CLIENT_CERTIFICATE_PATH (clientCertificatePath) or the clientAssertion option";

/** The app's one credential; throws `config_invalid` when there is none, several, or a bad one. */
export function clientCredential(
  config: EntranceConfig,
  clientAssertion: EntranceOptions["clientAssertion"],
  now = Date.now(),
): { readonly kind: CredentialKind; readonly credential: ClientCredential } {
  const given = [
    config.clientSecret !== undefined && "clientSecret (AZURE_CLIENT_SECRET)",
    config.clientCertificatePath !== undefined &&
      "clientCertificatePath (AZURE_CLIENT_CERTIFICATE_PATH)",
    clientAssertion !== undefined && "clientAssertion",
  ].filter(Boolean);
  if (given.length === 0) {
    throw invalid(
      `the app has no credential: set AZURE_CLIENT_SECRET to a client secret of your app registration (Certificates & secrets), or ${HOW.slice(4)}`,
    );
  }
  if (given.length > 1) throw invalid(`${given.join(" and ")} are both set: ${HOW}`);
  if (config.clientSecret !== undefined) {
    return { kind: "secret", credential: { clientSecret: config.clientSecret } };
  }
  if (clientAssertion !== undefined) {
    if (typeof clientAssertion !== "function") {
      throw invalid("clientAssertion must be a function returning the assertion (a JWT)");
    }
    return {
      kind: "assertion",
      credential: {
        clientAssertion: async ({ clientId, tokenEndpoint }) =>
          assertionOf(await clientAssertion({ clientId, tokenEndpoint: tokenEndpoint ?? "" })),
      },
    };
  }
  return {
    kind: "certificate",
    credential: { clientCertificate: certificateAt(config.clientCertificatePath ?? "", now) },
  };
}

/** The certificate and key of a PEM file, checked: readable, current, and a matching pair. */
function certificateAt(path: string, now: number) {
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (error) {
    throw invalid(
      `AZURE_CLIENT_CERTIFICATE_PATH: ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  const keyBlock =
    /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(
      pem,
    );
  if (!certificateBlock || !keyBlock) {
    throw invalid(
      `AZURE_CLIENT_CERTIFICATE_PATH: ${path} must hold the certificate and its private key, both PEM (${certificateBlock ? "no private key" : "no certificate"} found)`,
    );
  }
  if (keyBlock[0].includes("ENCRYPTED")) {
    throw invalid(
      `AZURE_CLIENT_CERTIFICATE_PATH: the private key in ${path} is encrypted; give it unencrypted (PKCS#8 or PKCS#1) and protect the file instead`,
    );
  }
  let certificate: X509Certificate;
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    certificate = new X509Certificate(certificateBlock[0]);
    privateKey = createPrivateKey(keyBlock[0]);
  } catch {
    throw invalid(
      `AZURE_CLIENT_CERTIFICATE_PATH: ${path} holds a certificate or key that cannot be read`,
    );
  }
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw invalid(
      `AZURE_CLIENT_CERTIFICATE_PATH: Entra signs in apps with RSA certificates; ${path} holds a ${privateKey.asymmetricKeyType} key`,
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw invalid(
      `AZURE_CLIENT_CERTIFICATE_PATH: the private key in ${path} does not belong to its certificate`,
    );
  }
  const validTo = Date.parse(certificate.validTo);
  if (!(validTo > now)) {
    throw invalid(
      `AZURE_CLIENT_CERTIFICATE_PATH: the certificate in ${path} expired on ${new Date(validTo).toISOString()}; upload a new one to the app registration and point here`,
    );
  }
  return {
    thumbprintSha256: certificate.fingerprint256.replaceAll(":", "").toLowerCase(),
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** What the callback returned, if it is a JWT; else a clear error for the token request. */
function assertionOf(value: unknown): string {
  if (typeof value === "string" && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value)) return value;
  throw new EntranceError(
    "token_request_failed",
    "The clientAssertion callback did not return a signed JWT.",
  );
}

function invalid(problem: string): EntranceError {
  return new EntranceError(
    "config_invalid",
    `Entrance is not configured correctly:\n  - ${problem}`,
  );
}
