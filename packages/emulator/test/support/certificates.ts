/**
 * Certificates the emulator would never make, for tests of what its certificate authority may
 * vouch for: an authority as it was before name constraints, and leaves for any name, signed with
 * a given authority's key (as whoever can read the data folder could sign them).
 */
// @peculiar/x509 needs the Reflect metadata API before it loads, as the emulator imports it.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { type AddressInfo, isIP } from "node:net";
import { checkServerIdentity, connect, createServer, type Server } from "node:tls";
import * as x509 from "@peculiar/x509";
import { generateRsaKeys, type KeyedCertificate } from "../../src/pki/certificates.js";

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

function privatePem(key: CryptoKey): Promise<string> {
  return webcrypto.subtle
    .exportKey("pkcs8", key)
    .then((der) => x509.PemConverter.encode(der, "PRIVATE KEY"));
}

/** A certificate authority as the emulator made them before name constraints: it vouches for any name. */
export async function unconstrainedAuthority(): Promise<KeyedCertificate> {
  const keys = await generateRsaKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=Entrance Emulator Local CA, O=Entrance (development only)",
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await privatePem(keys.privateKey) };
}

/** A TLS server certificate for `names` (none: the subject's common name alone), signed by `authority`. */
export async function leafSignedBy(
  authority: KeyedCertificate,
  options: { readonly subject: string; readonly names: readonly x509.JsonGeneralName[] },
): Promise<KeyedCertificate> {
  const der = x509.PemConverter.decode(authority.keyPem)[0] as ArrayBuffer;
  const signingKey = await webcrypto.subtle.importKey("pkcs8", der, RSA, false, ["sign"]);
  const ca = new x509.X509Certificate(authority.certPem);
  const keys = await generateRsaKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: options.subject,
    issuer: ca.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 300 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: RSA,
    extensions: [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
      ...(options.names.length
        ? [new x509.SubjectAlternativeNameExtension([...options.names])]
        : []),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await privatePem(keys.privateKey) };
}

/**
 * How a TLS client that trusts one authority fared: verified, or OpenSSL's reason for refusing
 * (Node's `code` for a name-constraints violation is only `UNSPECIFIED`; the message names it).
 */
export type Handshake =
  | { readonly verified: true }
  | { readonly verified: false; readonly reason: string };

/**
 * A real TLS handshake, node:tls with `trusted` as the only root, to `port` on 127.0.0.1, for
 * `servername`: a host name is sent as SNI; an IP address is checked as the host it would be.
 */
export function handshake(port: number, trusted: string, servername: string): Promise<Handshake> {
  const ip = isIP(servername) !== 0;
  return new Promise((resolve) => {
    const socket = connect({
      host: "127.0.0.1",
      port,
      ca: trusted,
      ...(ip
        ? { checkServerIdentity: (_host, cert) => checkServerIdentity(servername, cert) }
        : { servername }),
    });
    socket.once("secureConnect", () => {
      socket.end();
      resolve({ verified: true });
    });
    socket.once("error", (error) => {
      socket.destroy();
      resolve({ verified: false, reason: error.message });
    });
  });
}

/** A TLS server on 127.0.0.1 presenting `leaf` (and, like the emulator, not its authority). */
export async function serving(leaf: KeyedCertificate): Promise<{ port: number; server: Server }> {
  const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, server };
}
