// @peculiar/x509 needs the Reflect metadata API before it loads, as the emulator imports it.
import "reflect-metadata";
import { webcrypto, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { generateRsaKeys } from "../src/pki/certificates.js";
import { loadCredentials } from "../src/pki/data-folder.js";

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** A TLS certificate as the emulator made them before the ciamlogin.com names: localhost only. */
async function localhostOnly(caCertPem: string, caKeyPem: string): Promise<string> {
  const der = x509.PemConverter.decode(caKeyPem)[0] as ArrayBuffer;
  const signingKey = await webcrypto.subtle.importKey("pkcs8", der, RSA, false, ["sign"]);
  const keys = await generateRsaKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "01",
    subject: "CN=localhost",
    issuer: new x509.X509Certificate(caCertPem).subject,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 300 * 86_400_000),
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: RSA,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: "localhost" }])],
  });
  return cert.toString("pem");
}

describe("the emulator's data folder", () => {
  it("replaces a kept TLS certificate that does not cover the ciamlogin.com names, keeping its CA", async () => {
    const folder = await mkdtemp(join(tmpdir(), "entrance-pki-"));
    const first = await loadCredentials(folder);
    const old = await localhostOnly(first.ca.certPem, first.ca.keyPem);
    await writeFile(join(folder, "tls.pem"), old);

    const second = await loadCredentials(folder);
    expect(second.ca.certPem).toBe(first.ca.certPem);
    expect(second.tls.certPem).not.toBe(old);
    expect(await readFile(join(folder, "tls.pem"), "utf8")).toBe(second.tls.certPem);
    const cert = new X509Certificate(second.tls.certPem);
    expect(cert.checkHost("contosocustomers.ciamlogin.com")).toBeDefined();
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkIssued(new X509Certificate(second.ca.certPem))).toBe(true);

    // A certificate that covers them is kept as it is.
    const third = await loadCredentials(folder);
    expect(third.tls.certPem).toBe(second.tls.certPem);
  });
});
