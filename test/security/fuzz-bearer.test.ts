/**
 * Property-based fuzzing of the Authorization header on a `requireBearer` route: any header,
 * forged tokens of any header and claims (alg none, HS256 keyed with the public key, made-up key
 * ids, a key of the attacker's own), and real tokens with one character changed. Never a 5xx,
 * never a caller let through, and made-up key ids cannot make Entrance hammer Entra's JWKS.
 */
import {
  createHmac,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bearerGuard, createMemoryStore, type Entrance, type Guard } from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { signInWithoutBrowser } from "@entrance/emulator/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeSigningKey, userClaims } from "../../packages/core/test/support/bearer.js";
import { APP_BASE, entranceFor } from "../../packages/core/test/support/emulated.js";
import { fuzzRuns } from "./support/fuzz.js";

const API = `api://${defaults.webApp}`;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

let emulator: RunningEmulator;
let dataDir: string;
let entrance: Entrance;
let readOrders: Guard;
let signer: { kid: string; privateKey: KeyObject };
let realToken: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "entrance-fuzz-bearer-"));
  emulator = await startEmulator({ dataDir });
  signer = await activeSigningKey(dataDir);
  entrance = entranceFor(emulator, createMemoryStore());
  readOrders = entrance.guard(bearerGuard({ scopes: ["Orders.Read"] }));
  realToken = (
    await signInWithoutBrowser(emulator, {
      user: "megan@contoso.onmicrosoft.com",
      scopes: [`${API}/Orders.Read`],
    })
  ).accessToken;
});

afterAll(async () => {
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The guard's answer to a request with this Authorization header: null lets it through. */
async function answerTo(authorization: string): Promise<Response | null> {
  const request = new Request(`${APP_BASE}/api/orders`, {
    headers: { accept: "application/json", authorization },
  });
  return readOrders(await entrance.context(request));
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A refusal as RFC 6750 has it: 400 or 401 with a Bearer challenge (403 only for a valid token). */
function expectRefused(answer: Response | null) {
  expect(answer).not.toBeNull();
  expect([400, 401]).toContain(answer?.status);
  expect(answer?.headers.get("www-authenticate")).toMatch(/^Bearer/);
}

describe("Fuzzing", () => {
  it("a real token gets in (the control for the cases below)", async () => {
    expect(await answerTo(`Bearer ${realToken}`)).toBeNull();
  });

  it("any Authorization header, up to and past 8 KB, is refused with a Bearer challenge, never a 5xx", async () => {
    const header = fc.oneof(
      fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
      fc.string({ unit: "grapheme-ascii", minLength: 8100, maxLength: 8300 }),
      fc
        .tuple(
          fc.constantFrom("Bearer ", "bearer  ", "BEARER\t", "Basic ", "Bearer", " Bearer "),
          fc.array(fc.string({ unit: fc.constantFrom(...`${BASE64URL}.=+/ `), maxLength: 120 }), {
            maxLength: 5,
          }),
        )
        .map(([scheme, parts]) => `${scheme}${parts.join(".")}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (value) => expectRefused(await answerTo(value))),
      fuzzRuns(2000),
    );
  });

  it("a forged token of any header and claims (alg none, HS256 keyed with the public key, a made-up kid, the attacker's own key) never gets in", async () => {
    const attacker = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    // The confusion attack: HS256 keyed with the RSA public key everyone can download.
    const publicPem = createPublicKey(signer.privateKey).export({ type: "spki", format: "pem" });
    (await (await fetch(`${emulator.urls.http}/`).catch(() => null))?.text()) ?? "";
    const claims = fc.record(
      {
        aud: fc.constantFrom(defaults.webApp, API, "00000003-0000-0000-c000-000000000000", ""),
        tid: fc.constantFrom(defaults.contoso, defaults.fabrikam, "common", "{tenantid}"),
        scp: fc.constantFrom("Orders.Read", "Orders.Read.All", "", "Orders.Read Orders.Write"),
        roles: fc.array(fc.constantFrom("Orders.Read.All", "Entrance.Admin"), { maxLength: 2 }),
        ver: fc.constantFrom("1.0", "2.0", "3.0"),
        exp: fc.integer(),
        nbf: fc.integer(),
        iss: fc.string({ maxLength: 80 }),
      },
      { requiredKeys: [] },
    );
    const header = fc.record(
      {
        alg: fc.constantFrom("none", "HS256", "RS256", "RS512", "ES256", "PS256", "", "rs256"),
        kid: fc.oneof(fc.constant(signer.kid), fc.string({ maxLength: 40 })),
        typ: fc.constantFrom("JWT", "at+jwt"),
        jku: fc.constant(`${APP_BASE}/keys`),
      },
      { requiredKeys: ["alg"] },
    );
    const signing = fc.constantFrom("random", "hmac-public-key", "attacker-rsa", "empty-claims");
    await fc.assert(
      fc.asyncProperty(
        header,
        claims,
        signing,
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        async (head, overrides, how, noise) => {
          const body = how === "empty-claims" ? {} : userClaims(emulator, overrides);
          const input = `${segment(head)}.${segment(body)}`;
          let signature = Buffer.from(noise).toString("base64url");
          if (how === "hmac-public-key") {
            signature = createHmac("sha256", publicPem).update(input).digest("base64url");
          } else if (how === "attacker-rsa") {
            signature = createSign("RSA-SHA256").update(input).sign(attacker).toString("base64url");
          }
          expectRefused(await answerTo(`Bearer ${input}.${signature}`));
        },
      ),
      fuzzRuns(1500),
    );
  });

  it("a flood of made-up key ids fetches Entra's keys at most a few times", async () => {
    emulator.control.resetCounts();
    await fc.assert(
      fc.asyncProperty(fc.uuid(), async (kid) => {
        const token = `${segment({ alg: "RS256", kid })}.${segment(userClaims(emulator))}.c2ln`;
        expectRefused(await answerTo(`Bearer ${token}`));
      }),
      fuzzRuns(500),
    );
    // One refetch per cooldown (30 s) at most, whatever the number of key ids.
    expect(emulator.control.counts().keys ?? 0).toBeLessThanOrEqual(2);
  });

  it("a real token with any one character of its header or claims changed, or its signature cut, is refused", async () => {
    const [head = "", payload = "", signature = ""] = realToken.split(".");
    const signed = `${head}.${payload}`;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: signed.length - 1 }),
        fc.constantFrom(...BASE64URL),
        fc.nat({ max: signature.length - 2 }),
        async (at, replacement, cut) => {
          if (signed[at] === "." || signed[at] === replacement) return;
          const changed = `${signed.slice(0, at)}${replacement}${signed.slice(at + 1)}`;
          expectRefused(await answerTo(`Bearer ${changed}.${signature}`));
          expectRefused(await answerTo(`Bearer ${signed}.${signature.slice(0, cut + 1)}`));
        },
      ),
      fuzzRuns(1000),
    );
  });
});
