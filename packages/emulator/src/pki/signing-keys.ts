import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { createSigningCertificate, generateRsaKeys } from "./certificates.js";

/** One token-signing key with the certificate that Entra-style JWKS entries carry. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: { kty: string; n: string; e: string };
  readonly certDer: Buffer;
  readonly createdAt: number;
}

/** How a signing key is kept in the data folder. */
export interface StoredSigningKey {
  kid: string;
  privateKeyPem: string;
  certDer: string;
  createdAt: number;
}

/** The most keys published at once; older ones are dropped at rotation. */
const MAX_PUBLISHED = 3;

/** The signing keys: the newest signs, all are published in the JWKS. */
export class SigningKeys {
  #keys: SigningKey[];

  private constructor(keys: SigningKey[]) {
    this.#keys = keys;
  }

  static fromStored(stored: readonly StoredSigningKey[]): SigningKeys {
    return new SigningKeys(stored.map(restore));
  }

  static async generate(): Promise<SigningKeys> {
    return new SigningKeys([await newKey()]);
  }

  /** The key that signs new tokens. */
  get active(): SigningKey {
    return this.#keys[0] as SigningKey;
  }

  get all(): readonly SigningKey[] {
    return this.#keys;
  }

  /**
   * Puts a new key in front. With `retire`, the earlier keys leave the JWKS at once, so tokens
   * they signed no longer verify; otherwise they stay published, as Entra keeps them for a while.
   */
  async rotate(options: { retire?: boolean } = {}): Promise<SigningKey> {
    const key = await newKey();
    this.#keys = options.retire ? [key] : [key, ...this.#keys].slice(0, MAX_PUBLISHED);
    return key;
  }

  toStored(): StoredSigningKey[] {
    return this.#keys.map((key) => ({
      kid: key.kid,
      privateKeyPem: key.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      certDer: key.certDer.toString("base64"),
      createdAt: key.createdAt,
    }));
  }
}

async function newKey(): Promise<SigningKey> {
  const pair = await generateRsaKeys();
  const cert = await createSigningCertificate(pair);
  const privateKey = createPrivateKey({
    key: Buffer.from(await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
    format: "der",
    type: "pkcs8",
  });
  return withPublic({ kid: cert.thumbprint, privateKey, certDer: cert.der, createdAt: Date.now() });
}

function restore(stored: StoredSigningKey): SigningKey {
  return withPublic({
    kid: stored.kid,
    privateKey: createPrivateKey(stored.privateKeyPem),
    certDer: Buffer.from(stored.certDer, "base64"),
    createdAt: stored.createdAt,
  });
}

function withPublic(key: Omit<SigningKey, "publicJwk">): SigningKey {
  const jwk = createPublicKey(key.privateKey).export({ format: "jwk" });
  if (jwk.kty !== "RSA" || !jwk.n || !jwk.e) throw new Error(`signing key ${key.kid} is not RSA`);
  return { ...key, publicJwk: { kty: "RSA", n: jwk.n, e: jwk.e } };
}
