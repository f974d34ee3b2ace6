import { generateKeyPairSync, type JsonWebKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BearerKeys } from "../src/bearer/keys.js";
import type { NetworkClient } from "../src/index.js";
import { Metadata } from "../src/tokens/metadata.js";

const AUTHORITY = "https://login.example/organizations";

/** The provider's two documents, served from memory: the JWKS is whatever a test says. */
function provider(keys: unknown[]): NetworkClient {
  return {
    async sendGetRequestAsync<T>(url: string) {
      const body = url.endsWith("/openid-configuration")
        ? {
            issuer: "https://login.example/{tenantid}/v2.0",
            authorization_endpoint: `${AUTHORITY}/oauth2/v2.0/authorize`,
            token_endpoint: `${AUTHORITY}/oauth2/v2.0/token`,
            jwks_uri: `${AUTHORITY}/discovery/v2.0/keys`,
          }
        : { keys };
      return { status: 200, headers: {}, body: body as T };
    },
    async sendPostRequestAsync(): Promise<never> {
      throw new Error("no POST expected");
    },
  };
}

function rsa(bits: number, extra: Record<string, unknown>): JsonWebKey {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return { ...publicKey.export({ format: "jwk" }), ...extra };
}

describe("the signing keys of bearer tokens", () => {
  it("keep only RSA signing keys of 2048 bits or more from a hostile JWKS", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
      format: "jwk",
    });
    const keys = new BearerKeys(
      new Metadata(
        AUTHORITY,
        provider([
          null,
          "a string",
          42,
          rsa(1024, { kid: "short", use: "sig" }),
          rsa(2048, { kid: "encryption", use: "enc" }),
          rsa(2048, { kid: "other-alg", alg: "RS512" }),
          rsa(2048, { kid: 7 }),
          { kty: "RSA", kid: "garbage", n: "!!!", e: "AQAB" },
          { ...ec, kid: "ec" },
          rsa(2048, { kid: "good", use: "sig", alg: "RS256" }),
          rsa(3072, { kid: "bare" }),
        ]),
      ),
    );
    expect(keys.held("good")).toBeNull();
    expect(await keys.find("good")).toBeDefined();
    expect(keys.held("bare")).toBeDefined();
    for (const kid of ["short", "encryption", "other-alg", "7", "garbage", "ec"]) {
      expect(keys.held(kid), kid).toBeUndefined();
    }
  });

  it("answers signing_keys_unavailable at once for 5 s after a failed read", async () => {
    let now = 1_000_000;
    let reads = 0;
    const failing: NetworkClient = {
      async sendGetRequestAsync<T>() {
        reads++;
        return { status: 500, headers: {}, body: {} as T };
      },
      async sendPostRequestAsync(): Promise<never> {
        throw new Error("no POST expected");
      },
    };
    const keys = new BearerKeys(new Metadata(AUTHORITY, failing, () => now), () => now);
    await expect(keys.find("any")).rejects.toMatchObject({ code: "signing_keys_unavailable" });
    const afterFirst = reads;
    now += 4000;
    await expect(keys.find("any")).rejects.toMatchObject({ code: "signing_keys_unavailable" });
    expect(reads).toBe(afterFirst);
    now += 2000;
    await expect(keys.find("any")).rejects.toMatchObject({ code: "signing_keys_unavailable" });
    expect(reads).toBeGreaterThan(afterFirst);
  });
});

describe("the key set over time", () => {
  it("is read again in the background once a day old, the old set serving meanwhile", async () => {
    let now = 1_000_000;
    const first = rsa(2048, { kid: "first" });
    const second = rsa(2048, { kid: "second" });
    let published: unknown[] = [first];
    let reads = 0;
    let failing = false;
    const network: NetworkClient = {
      async sendGetRequestAsync<T>(url: string) {
        if (url.endsWith("/keys")) {
          reads++;
          if (failing) return { status: 503, headers: {}, body: {} as T };
        }
        return provider(published).sendGetRequestAsync<T>(url);
      },
      sendPostRequestAsync: provider([]).sendPostRequestAsync,
    };
    const metadata = new Metadata(AUTHORITY, network, () => now);
    const keys = new BearerKeys(metadata, () => now);
    expect(await keys.find("first")).toBeDefined();
    published = [second]; // "first" withdrawn, as after a compromise
    now += 23 * 3600_000;
    expect(keys.held("first")).toBeDefined();
    expect(reads).toBe(1);
    now += 2 * 3600_000;
    expect(keys.held("first")).toBeDefined(); // served while the new set is read
    await metadata.signingKeys(true);
    expect(reads).toBe(2);
    expect(keys.held("first")).toBeUndefined();
    expect(keys.held("second")).toBeDefined();

    // A day later Entra is down: the held keys serve on, and it is asked at most every 30 s.
    failing = true;
    now += 25 * 3600_000;
    for (let i = 0; i < 50; i++) keys.held("second");
    await new Promise((resolve) => setImmediate(resolve));
    expect(keys.held("second")).toBeDefined();
    expect(reads).toBe(3);
    // The failed read is over; asking again at once does not read again.
    await new Promise((resolve) => setImmediate(resolve));
    keys.held("second");
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(3);
    now += 31_000;
    keys.held("second");
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(4);
  });
});

describe("the key set's lifetime", () => {
  it("follows the JWKS answer's Cache-Control max-age when shorter than a day", async () => {
    let now = 1_000_000;
    let published: unknown[] = [rsa(2048, { kid: "first" })];
    const network: NetworkClient = {
      async sendGetRequestAsync<T>(url: string) {
        const answer = await provider(published).sendGetRequestAsync<T>(url);
        return { ...answer, headers: { "cache-control": "max-age=3600, private" } };
      },
      sendPostRequestAsync: provider([]).sendPostRequestAsync,
    };
    const metadata = new Metadata(AUTHORITY, network, () => now);
    const keys = new BearerKeys(metadata, () => now);
    expect(await keys.find("first")).toBeDefined();
    published = [rsa(2048, { kid: "second" })];
    now += 3601_000;
    expect(keys.held("first")).toBeDefined(); // starts the background read
    await new Promise((resolve) => setImmediate(resolve));
    expect(keys.held("first")).toBeUndefined();
    expect(keys.held("second")).toBeDefined();
  });
});
