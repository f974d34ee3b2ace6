// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { createHash, KeyObject, randomBytes, webcrypto } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_nameConstraints,
  NameConstraints,
} from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as Crypto);

const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

const DAY_MS = 86_400_000;

/** A certificate with its private key, both PEM. */
export interface KeyedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export async function generateRsaKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as CryptoKeyPair;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

function privatePem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: "pkcs8", format: "pem" }).toString();
}

async function importPrivatePem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error("not a PEM private key");
  return webcrypto.subtle.importKey("pkcs8", der, RSA, true, ["sign"]) as Promise<CryptoKey>;
}

/**
 * The names the certificate authority may vouch for, as X.509 name constraints: only what the
 * emulator serves. A DNS name covers itself and every name under it (`ciamlogin.com` covers
 * `contosocustomers.ciamlogin.com`); an address is given with its mask. Clients that trust
 * `ca.pem` so accept nothing else from whoever can read the CA's key in the data folder, e.g. a
 * certificate for `login.microsoftonline.com`. The emulator answers as a national cloud
 * (`--cloud`) on its own loopback host, so no cloud's host is here.
 */
export const PERMITTED_NAMES = {
  dns: ["localhost", "ciamlogin.com"],
  ip: ["127.0.0.0/8", "::1/128"],
} as const;

/** The critical Name Constraints extension permitting only {@link PERMITTED_NAMES}. */
export function nameConstraintsExtension(): x509.Extension {
  const permitted = [
    ...PERMITTED_NAMES.dns.map((dNSName) => new GeneralName({ dNSName })),
    ...PERMITTED_NAMES.ip.map((iPAddress) => new GeneralName({ iPAddress })),
  ].map((base) => new GeneralSubtree({ base }));
  const value = AsnConvert.serialize(
    new NameConstraints({ permittedSubtrees: new GeneralSubtrees(permitted) }),
  );
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

/**
 * Whether a kept authority carries today's name constraints, critical and exactly as
 * {@link nameConstraintsExtension} makes them: one made before them could vouch for any host name,
 * and one made with other names may not cover {@link SERVER_NAMES}.
 */
export function constrainedAsToday(caCertPem: string): boolean {
  const kept = new x509.X509Certificate(caCertPem).getExtension(id_ce_nameConstraints);
  const today = nameConstraintsExtension();
  return kept?.critical === true && Buffer.from(kept.value).equals(Buffer.from(today.value));
}

/** A certificate authority for what the emulator serves ({@link PERMITTED_NAMES}), valid for ten years. */
export async function createCertificateAuthority(now = Date.now()): Promise<KeyedCertificate> {
  const keys = await generateRsaKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=Entrance Emulator Local CA, O=Entrance (development only)",
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      nameConstraintsExtension(),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: privatePem(keys.privateKey) };
}

/**
 * The names the server certificate covers: loopback, and External ID's sign-in hosts
 * (`{subdomain}.ciamlogin.com`, `{tenant id}.ciamlogin.com`) for clients that route those names
 * to the emulator. Which of those the emulator answers for is decided per request (its host check
 * and host proxy); the certificate only has to cover every one it may own. Each must lie within
 * {@link PERMITTED_NAMES}, or clients refuse the certificate.
 */
export const SERVER_NAMES = ["localhost", "*.ciamlogin.com"] as const;

/** A server certificate for {@link SERVER_NAMES}, 127.0.0.1 and ::1, signed by the authority, valid 1 year. */
export async function createServerCertificate(
  authority: KeyedCertificate,
  now = Date.now(),
): Promise<KeyedCertificate> {
  const ca = new x509.X509Certificate(authority.certPem);
  const keys = await generateRsaKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: "CN=localhost",
    issuer: ca.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: await importPrivatePem(authority.keyPem),
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...SERVER_NAMES.map((value) => ({ type: "dns" as const, value })),
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: privatePem(keys.privateKey) };
}

/** A self-signed certificate wrapping a token-signing key, as Entra publishes in `x5c`. */
export async function createSigningCertificate(
  keys: CryptoKeyPair,
  now = Date.now(),
): Promise<{ der: Buffer; thumbprint: string }> {
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: "CN=entrance-emulator.accesscontrol.localhost",
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 5 * 365 * DAY_MS),
    keys,
    signingAlgorithm: RSA,
  });
  const der = Buffer.from(cert.rawData);
  return { der, thumbprint: createHash("sha1").update(der).digest("base64url") };
}

/** Whether a PEM certificate is still valid `marginDays` from now. */
export function validFor(certPem: string, marginDays: number, now = Date.now()): boolean {
  const cert = new x509.X509Certificate(certPem);
  return cert.notAfter.getTime() > now + marginDays * DAY_MS && cert.notBefore.getTime() <= now;
}

/**
 * A self-signed certificate with its private key, as a developer makes one to upload to an app
 * registration (`openssl req -x509 …`).
 */
export async function createSelfSignedCertificate(options: {
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}): Promise<KeyedCertificate> {
  const keys = await generateRsaKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: options.subject,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: privatePem(keys.privateKey) };
}
