import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCredentials } from "../src/pki/data-folder.js";
import {
  handshake,
  leafSignedBy,
  serving,
  unconstrainedAuthority,
} from "./support/certificates.js";

/** A TLS certificate as the emulator made them before the ciamlogin.com names: localhost only. */
async function localhostOnly(ca: { certPem: string; keyPem: string }): Promise<string> {
  const leaf = await leafSignedBy(ca, {
    subject: "CN=localhost",
    names: [{ type: "dns", value: "localhost" }],
  });
  return leaf.certPem;
}

describe("the emulator's data folder", () => {
  it("replaces a kept TLS certificate that does not cover the ciamlogin.com names, keeping its CA", async () => {
    const folder = await mkdtemp(join(tmpdir(), "entrance-pki-"));
    const first = await loadCredentials(folder);
    const old = await localhostOnly(first.ca);
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

  it("replaces a kept certificate authority without name constraints, and its TLS certificate, keeping the signing keys", async () => {
    const folder = await mkdtemp(join(tmpdir(), "entrance-pki-"));
    await loadCredentials(folder);
    const signingKeys = await readFile(join(folder, "signing-keys.json"), "utf8");
    // The folder as an emulator before name constraints left it: an authority that vouches for any name.
    const old = await unconstrainedAuthority();
    const oldTls = await leafSignedBy(old, {
      subject: "CN=localhost",
      names: [
        { type: "dns", value: "localhost" },
        { type: "dns", value: "*.ciamlogin.com" },
        { type: "ip", value: "127.0.0.1" },
      ],
    });
    await writeFile(join(folder, "ca.pem"), old.certPem);
    await writeFile(join(folder, "ca-key.pem"), old.keyPem);
    await writeFile(join(folder, "tls.pem"), oldTls.certPem);
    await writeFile(join(folder, "tls-key.pem"), oldTls.keyPem);

    const second = await loadCredentials(folder);
    expect(second.ca.certPem).not.toBe(old.certPem);
    expect(second.ca.keyPem).not.toBe(old.keyPem);
    expect(await readFile(join(folder, "ca.pem"), "utf8")).toBe(second.ca.certPem);
    expect(second.tls.certPem).not.toBe(oldTls.certPem);
    expect(await readFile(join(folder, "tls.pem"), "utf8")).toBe(second.tls.certPem);
    expect(await readFile(join(folder, "signing-keys.json"), "utf8")).toBe(signingKeys);
    expect(
      new X509Certificate(second.tls.certPem).checkIssued(new X509Certificate(second.ca.certPem)),
    ).toBe(true);

    // The new authority is the constrained one: its own key cannot vouch for Microsoft's host.
    const host = "login.microsoftonline.com";
    const forged = await leafSignedBy(second.ca, {
      subject: `CN=${host}`,
      names: [{ type: "dns", value: host }],
    });
    const { port, server } = await serving(forged);
    try {
      expect(await handshake(port, second.ca.certPem, host)).toEqual({
        verified: false,
        reason: "permitted subtree violation",
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }

    // A constrained authority is kept as it is, with its TLS certificate.
    const third = await loadCredentials(folder);
    expect(third.ca.certPem).toBe(second.ca.certPem);
    expect(third.tls.certPem).toBe(second.tls.certPem);
  });
});
