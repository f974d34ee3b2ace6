import { generateKeyPairSync } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import { verifies } from "../src/bearer/jwt.js";
import { BearerPolicy } from "../src/bearer/policy.js";
import { BearerValidator } from "../src/bearer/validator.js";
import type { NetworkClient } from "../src/index.js";
import { Metadata } from "../src/tokens/metadata.js";

vi.mock("../src/bearer/jwt.js", async (original) => {
  const actual = await original<typeof import("../src/bearer/jwt.js")>();
  return { ...actual, verifies: vi.fn(actual.verifies) };
});

const HOST = "https://login.example";
const AUTHORITY = `${HOST}/organizations`;
const CLIENT_ID = "6f1e2d3c-4b5a-4697-8877-665544332211";
const HOME = "8d2f4c1a-6b3e-4f5d-9a7c-2e1b0d3c4f5a";
const STRANGER = "0a0b0c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

const provider: NetworkClient = {
  async sendGetRequestAsync<T>(url: string) {
    const body = url.endsWith("/openid-configuration")
      ? {
          issuer: `${HOST}/{tenantid}/v2.0`,
          authorization_endpoint: `${AUTHORITY}/oauth2/v2.0/authorize`,
          token_endpoint: `${AUTHORITY}/oauth2/v2.0/token`,
          jwks_uri: `${AUTHORITY}/discovery/v2.0/keys`,
        }
      : { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", use: "sig" }] };
    return { status: 200, headers: {}, body: body as T };
  },
  async sendPostRequestAsync(): Promise<never> {
    throw new Error("no POST expected");
  },
};

/** A validly signed v2.0 app-only token of `tid` for `aud`. */
function appToken(aud: string, tid: string, n: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud,
    iss: `${HOST}/${tid}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    azp: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    oid: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    sub: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    tid,
    roles: ["Orders.Approve"],
    idtyp: "app",
    ver: "2.0",
  })
    .setProtectedHeader({ alg: "RS256", kid: "k1", typ: "JWT" })
    .sign(privateKey);
}

describe("the verified tokens of a core", () => {
  it("keep a legitimate token through a flood of strangers' validly signed tokens", async () => {
    const validator = new BearerValidator({
      authorityHost: HOST,
      clockSkew: 300,
      metadata: new Metadata(AUTHORITY, provider),
      cacheEntries: 4,
    });
    const policy = new BearerPolicy(
      { roles: ["Orders.Approve"] },
      { clientId: CLIENT_ID, trusts: (tid) => tid === HOME, trustsNoTenant: false },
    );
    const covers = (token: Parameters<BearerPolicy["covers"]>[0]) => policy.covers(token);
    const legitimate = await appToken(CLIENT_ID, HOME, 0);
    expect(await validator.verify(legitimate, covers)).toHaveProperty("caller");
    const checks = vi.mocked(verifies);
    checks.mockClear();
    expect(await validator.verify(legitimate, covers)).toHaveProperty("caller");
    expect(checks).not.toHaveBeenCalled();

    // Another API's tokens (the attacker's own app) and another tenant's tokens for this API.
    for (let i = 1; i <= 20; i++) {
      const foreign = await appToken(i % 2 ? "api://attacker-app" : CLIENT_ID, STRANGER, i);
      const verified = await validator.verify(foreign, covers);
      expect(verified).toHaveProperty("caller");
      expect(policy.admit(verified as never)).toHaveProperty("reason");
    }
    expect(checks).toHaveBeenCalledTimes(20);
    checks.mockClear();
    expect(await validator.verify(legitimate, covers)).toHaveProperty("caller");
    expect(checks).not.toHaveBeenCalled();
  });
});

describe("the issuer of v2.0 tokens", () => {
  it("comes from the discovery document, whatever spelling of the host was configured", async () => {
    const policy = new BearerPolicy(
      { roles: ["Orders.Approve"] },
      { clientId: CLIENT_ID, trusts: (tid) => tid === HOME, trustsNoTenant: false },
    );
    const token = await appToken(CLIENT_ID, HOME, 0);
    for (const authorityHost of ["https://LOGIN.example", "https://login.example/"]) {
      const validator = new BearerValidator({
        authorityHost,
        clockSkew: 300,
        metadata: new Metadata(`${authorityHost.replace(/\/$/, "")}/organizations`, provider),
      });
      const verified = await validator.verify(token, () => false);
      expect(verified, authorityHost).toHaveProperty("caller");
      expect(policy.admit(verified as never)).toHaveProperty("kind", "app");
    }
  });
});
