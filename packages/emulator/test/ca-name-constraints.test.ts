/**
 * What the emulator's certificate authority may vouch for: whoever can read its key in the data
 * folder can sign any certificate with it, so a client that trusts `ca.pem` must accept from it
 * only the names the emulator serves (loopback and the ciamlogin.com hosts). Real handshakes,
 * node:tls trusting that authority alone.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { externalDefaults, type RunningEmulator, startEmulator } from "../src/index.js";
import type { KeyedCertificate } from "../src/pki/certificates.js";
import { loadCredentials } from "../src/pki/data-folder.js";
import {
  handshake,
  leafSignedBy,
  serving,
  unconstrainedAuthority,
} from "./support/certificates.js";

/** OpenSSL's X509_V_ERR_PERMITTED_VIOLATION: a name outside the permitted subtrees. */
const VIOLATION = "permitted subtree violation";

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Serves a leaf signed by `authority` for `names` and shakes hands for `servername`. */
async function tryLeaf(
  authority: KeyedCertificate,
  servername: string,
  subject: string,
  names: Parameters<typeof leafSignedBy>[1]["names"],
) {
  const { port, server } = await serving(await leafSignedBy(authority, { subject, names }));
  servers.push(server);
  return handshake(port, authority.certPem, servername);
}

describe("the emulator's certificate authority", () => {
  let ca: KeyedCertificate;
  beforeAll(async () => {
    ca = (await loadCredentials(await mkdtemp(join(tmpdir(), "entrance-pki-")))).ca;
  });

  it("cannot vouch for login.microsoftonline.com, even with its own key", async () => {
    const host = "login.microsoftonline.com";
    expect(await tryLeaf(ca, host, `CN=${host}`, [{ type: "dns", value: host }])).toEqual({
      verified: false,
      reason: VIOLATION,
    });
  });

  it("so refused, while an authority without constraints (as before) is believed", async () => {
    const host = "login.microsoftonline.com";
    const old = await unconstrainedAuthority();
    expect(await tryLeaf(old, host, `CN=${host}`, [{ type: "dns", value: host }])).toEqual({
      verified: true,
    });
  });

  it("cannot vouch for other names either: wildcards, look-alikes, a bare common name, other addresses", async () => {
    const refused = [
      ["graph.microsoft.com", "CN=graph", [{ type: "dns", value: "*.microsoft.com" }]],
      ["evilciamlogin.com", "CN=evil", [{ type: "dns", value: "evilciamlogin.com" }]],
      [
        "ciamlogin.com.evil.example",
        "CN=evil",
        [{ type: "dns", value: "ciamlogin.com.evil.example" }],
      ],
      // No subject alternative name: Node then checks the common name, and so must the constraints.
      ["login.microsoftonline.us", "CN=login.microsoftonline.us", []],
      ["10.0.0.1", "CN=intranet", [{ type: "ip", value: "10.0.0.1" }]],
    ] as const;
    for (const [servername, subject, names] of refused) {
      expect(await tryLeaf(ca, servername, subject, names), servername).toEqual({
        verified: false,
        reason: VIOLATION,
      });
    }
  });

  it("vouches for loopback and the ciamlogin.com hosts in a leaf of its own key", async () => {
    const names = [
      { type: "dns", value: "localhost" },
      { type: "dns", value: "*.ciamlogin.com" },
      { type: "ip", value: "127.0.0.1" },
    ] as const;
    for (const servername of ["localhost", "contosocustomers.ciamlogin.com", "127.0.0.1"]) {
      expect(await tryLeaf(ca, servername, "CN=localhost", names), servername).toEqual({
        verified: true,
      });
    }
  });
});

describe("the emulator's own TLS certificate, under the constrained authority", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("verifies for localhost, 127.0.0.1, ::1 and the External ID tenant's ciamlogin.com hosts", async () => {
    const port = Number(new URL(emulator.urls.https).port);
    for (const servername of [
      "localhost",
      "127.0.0.1",
      "::1",
      `${externalDefaults.subdomain}.ciamlogin.com`,
      `${externalDefaults.tenant}.ciamlogin.com`,
    ]) {
      expect(await handshake(port, emulator.caCertPem, servername), servername).toEqual({
        verified: true,
      });
    }
  });
});
