import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  constrainedAsToday,
  createCertificateAuthority,
  createServerCertificate,
  type KeyedCertificate,
  SERVER_NAMES,
  validFor,
} from "./certificates.js";
import { PolicyKeys, type StoredPolicyKeys } from "./policy-keys.js";
import { SigningKeys, type StoredSigningKey } from "./signing-keys.js";

/**
 * What the emulator keeps between runs: its certificate authority, TLS certificate, signing keys
 * and the keys of B2C custom policies.
 */
export interface Credentials {
  readonly caCertPath: string;
  readonly ca: KeyedCertificate;
  readonly tls: KeyedCertificate;
  readonly signingKeys: SigningKeys;
  /** Writes the current signing keys back (after a rotation). */
  saveSigningKeys(): Promise<void>;
  /** The B2C custom policies' own keys, which write themselves back when made or rotated. */
  readonly policyKeys: PolicyKeys;
}

const FILES = {
  caCert: "ca.pem",
  caKey: "ca-key.pem",
  tlsCert: "tls.pem",
  tlsKey: "tls-key.pem",
  signingKeys: "signing-keys.json",
  policyKeys: "policy-keys.json",
} as const;

/**
 * Loads the credentials from `folder`, creating what is missing. The certificate authority is
 * created once and kept, so a client that trusts it keeps trusting the emulator; it is replaced
 * (and the TLS certificate with it) only near its expiry or when it lacks today's name
 * constraints, as one made before them could vouch for any host. Signing keys are never touched.
 */
export async function loadCredentials(folder: string): Promise<Credentials> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const path = (name: string) => join(folder, name);

  let ca = await readPair(path(FILES.caCert), path(FILES.caKey));
  const replaceCa = !ca || !validFor(ca.certPem, 30) || !constrainedAsToday(ca.certPem);
  if (!ca || replaceCa) {
    ca = await createCertificateAuthority();
    await writePair(path(FILES.caCert), path(FILES.caKey), ca);
  }
  let tls = await readPair(path(FILES.tlsCert), path(FILES.tlsKey));
  if (!tls || replaceCa || !validFor(tls.certPem, 7) || !issuedBy(tls, ca) || !coversNames(tls)) {
    tls = await createServerCertificate(ca);
    await writePair(path(FILES.tlsCert), path(FILES.tlsKey), tls);
  }
  const stored = await readJson<StoredSigningKey[]>(path(FILES.signingKeys));
  const signingKeys = stored?.length
    ? SigningKeys.fromStored(stored)
    : await SigningKeys.generate();
  const saveSigningKeys = () =>
    writeAtomically(path(FILES.signingKeys), JSON.stringify(signingKeys.toStored()), 0o600);
  if (!stored?.length) await saveSigningKeys();
  const storedPolicyKeys = await readJson<unknown>(path(FILES.policyKeys));
  const policyKeys = new PolicyKeys(
    isRecord(storedPolicyKeys) ? (storedPolicyKeys as StoredPolicyKeys) : {},
    (keys) => writeAtomically(path(FILES.policyKeys), JSON.stringify(keys), 0o600),
  );

  return { caCertPath: path(FILES.caCert), ca, tls, signingKeys, saveSigningKeys, policyKeys };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a kept certificate covers today's names (one made before the ciamlogin.com hosts does not). */
function coversNames(leaf: KeyedCertificate): boolean {
  const cert = new X509Certificate(leaf.certPem);
  return SERVER_NAMES.every(
    (name) => cert.checkHost(name.replace("*", "contosocustomers")) !== undefined,
  );
}

function issuedBy(leaf: KeyedCertificate, ca: KeyedCertificate): boolean {
  return new X509Certificate(leaf.certPem).checkIssued(new X509Certificate(ca.certPem));
}

async function readPair(certPath: string, keyPath: string): Promise<KeyedCertificate | undefined> {
  try {
    return { certPem: await readFile(certPath, "utf8"), keyPem: await readFile(keyPath, "utf8") };
  } catch {
    return undefined;
  }
}

async function writePair(certPath: string, keyPath: string, pair: KeyedCertificate) {
  await writeAtomically(keyPath, pair.keyPem, 0o600);
  await writeAtomically(certPath, pair.certPem, 0o644);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

async function writeAtomically(file: string, content: string, mode: number) {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}
