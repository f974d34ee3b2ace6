import { request as httpsRequest } from "node:https";
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaults,
  ID_TOKEN_DEFECTS,
  type IdTokenDefect,
  type RunningEmulator,
  startEmulator,
} from "../src/index.js";
import { pickAccount, request } from "../src/testing/index.js";
import { authorizeUrl, REDIRECT_URI, redeem, responseParams } from "./support/flow.js";

/**
 * Faults on demand for a hostile-identity-provider suite, queued over the HTTP control interface
 * (as a test in another process does) for one app: every ID token defect, errors sent back to the
 * callback, and broken token and JWKS answers. Each is checked through the emulator's own
 * endpoints, as a client sees it.
 */
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

function control(method: string, path: string, body?: unknown) {
  return request(`${emulator.urls.https}/_emulator/control${path}`, {
    method,
    ca: emulator.caCertPem,
    headers: { authorization: `Bearer ${emulator.controlKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function queue(endpoint: string, fault: unknown, clientId: string = defaults.webApp) {
  const res = await control("POST", "/faults", { endpoint, fault, clientId });
  expect(res.status, res.text()).toBe(200);
}

async function publishedKeys(): Promise<JSONWebKeySet> {
  const res = await request(`${emulator.urls.https}/common/discovery/v2.0/keys`, {
    ca: emulator.caCertPem,
  });
  return res.json<JSONWebKeySet>();
}

/** Signs Lee in for the built-in web app and redeems the code: the ID token and the nonce sent. */
async function signIn() {
  const { url, verifier } = authorizeUrl(emulator, { nonce: "the-nonce-of-this-sign-in" });
  const { location } = await pickAccount(emulator, url, { user: "lee@contoso.onmicrosoft.com" });
  const code = responseParams(location).get("code") ?? "";
  const res = await redeem(emulator, { code, code_verifier: verifier });
  return res;
}

async function idTokenWith(defect: IdTokenDefect) {
  await queue("token", { kind: "id_token", defect });
  const res = await signIn();
  expect(res.status).toBe(200);
  const token = res.json<{ id_token: string }>().id_token;
  return { token, header: decodeProtectedHeader(token), claims: decodeJwt(token) };
}

async function verifies(token: string): Promise<JWTPayload | string> {
  try {
    return (await jwtVerify(token, createLocalJWKSet(await publishedKeys()), {})).payload;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const LEE = defaults.users.member;
const NOW = () => Math.floor(Date.now() / 1000);

const expectations: Record<
  IdTokenDefect,
  (t: Awaited<ReturnType<typeof idTokenWith>>) => Promise<void> | void
> = {
  "bad-signature": async (t) =>
    expect(await verifies(t.token)).toBe("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
  "alg-none": (t) => {
    expect(t.header.alg).toBe("none");
    expect(t.token.endsWith(".")).toBe(true);
  },
  "hs256-public-key": (t) => {
    expect(t.header.alg).toBe("HS256");
    expect(t.claims.oid).toBe(LEE);
  },
  "no-kid": async (t) => {
    expect(t.header.kid).toBeUndefined();
    expect(t.header.x5t).toBeUndefined();
    // One key published: the token verifies without a kid.
    expect(await verifies(t.token)).toMatchObject({ oid: LEE });
  },
  "unknown-kid": async (t) => {
    expect((await publishedKeys()).keys.map((k) => k.kid)).not.toContain(t.header.kid);
    expect(await verifies(t.token)).toBe("ERR_JWKS_NO_MATCHING_KEY");
  },
  "rotated-kid": async (t) => {
    expect((await publishedKeys()).keys[0]?.kid).toBe(t.header.kid);
    expect(await verifies(t.token)).toMatchObject({ oid: LEE });
  },
  "wrong-aud": (t) => expect(t.claims.aud).not.toBe(defaults.webApp),
  "aud-array-foreign-azp": (t) => {
    expect(t.claims.aud).toEqual([defaults.webApp, t.claims.azp]);
    expect(t.claims.azp).not.toBe(defaults.webApp);
  },
  "wrong-iss": (t) =>
    expect(t.claims.iss).toBe(`https://login.example.invalid/${defaults.contoso}/v2.0`),
  "template-iss": (t) => expect(t.claims.iss).toBe(`${emulator.urls.https}/{tenantid}/v2.0`),
  "iss-tenant-mismatch": (t) => {
    expect(t.claims.tid).toBe(defaults.contoso);
    expect(t.claims.iss).toBe(`${emulator.urls.https}/${defaults.fabrikam}/v2.0`);
  },
  "missing-iat": (t) => expect(t.claims).not.toHaveProperty("iat"),
  "missing-sub": (t) => expect(t.claims).not.toHaveProperty("sub"),
  "missing-oid": (t) => expect(t.claims).not.toHaveProperty("oid"),
  "missing-tid": (t) => expect(t.claims).not.toHaveProperty("tid"),
  "missing-nonce": (t) => expect(t.claims).not.toHaveProperty("nonce"),
  "wrong-nonce": (t) => {
    expect(typeof t.claims.nonce).toBe("string");
    expect(t.claims.nonce).not.toBe("the-nonce-of-this-sign-in");
  },
  expired: async (t) => {
    expect(Number(t.claims.exp)).toBeLessThan(NOW());
    expect(await verifies(t.token)).toBe("ERR_JWT_EXPIRED");
  },
  "not-yet-valid": async (t) => {
    expect(Number(t.claims.nbf)).toBeGreaterThan(NOW());
    expect(await verifies(t.token)).toBe("ERR_JWT_CLAIM_VALIDATION_FAILED");
  },
  "iat-future": (t) => expect(Number(t.claims.iat)).toBeGreaterThan(NOW() + 60),
  "v1-issuer": (t) => {
    expect(t.claims.iss).toBe(`https://sts.windows.net/${defaults.contoso}/`);
    expect(t.claims.ver).toBe("1.0");
  },
  "other-tenant": async (t) => {
    expect(t.claims.tid).toBe(defaults.fabrikam);
    expect(t.claims.iss).toBe(`${emulator.urls.https}/${defaults.fabrikam}/v2.0`);
    expect(t.claims.oid).not.toBe(LEE);
    expect(await verifies(t.token)).toMatchObject({ tid: defaults.fabrikam });
  },
};

describe("id_token faults over HTTP", () => {
  it.each(ID_TOKEN_DEFECTS)("%s: the next ID token of the app has the defect", async (defect) => {
    const t = await idTokenWith(defect);
    await expectations[defect](t);
    // Only the next one: the sign-in after it gets a sound token again.
    const next = (await signIn()).json<{ id_token: string }>().id_token;
    expect(await verifies(next)).toMatchObject({ oid: LEE, nonce: "the-nonce-of-this-sign-in" });
  });

  it("no-kid with several keys published: no key can be chosen", async () => {
    await control("POST", "/keys/rotate", {});
    const t = await idTokenWith("no-kid");
    expect((await publishedKeys()).keys.length).toBeGreaterThan(1);
    expect(await verifies(t.token)).toBe("ERR_JWKS_MULTIPLE_MATCHING_KEYS");
  });

  it("refuses an id_token fault for another endpoint, and an unknown defect, with 400", async () => {
    const other = await control("POST", "/faults", {
      endpoint: "keys",
      fault: { kind: "id_token", defect: "alg-none" },
    });
    expect(other.status).toBe(400);
    expect(other.text()).toContain("token endpoint only");
    const unknown = await control("POST", "/faults", {
      endpoint: "token",
      fault: { kind: "id_token", defect: "made-up" },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text()).toContain("defect");
  });
});

describe("errors at the callback over HTTP", () => {
  const CALLBACK_ERRORS = [
    ["access_denied", 65004],
    ["login_required", 50058],
    ["interaction_required", 50076],
    ["consent_required", 65001],
    ["temporarily_unavailable", 50196],
  ] as const;

  it.each(CALLBACK_ERRORS)(
    "%s goes back to the app's redirect URI with its state",
    async (error, aadsts) => {
      await queue("authorize", { kind: "error", error, aadsts });
      const { url, state } = authorizeUrl(emulator);
      const res = await request(url);
      expect(res.status).toBe(302);
      const location = String(res.headers.location);
      expect(location.startsWith(`${REDIRECT_URI}?`)).toBe(true);
      const params = responseParams(location);
      expect(params.get("error")).toBe(error);
      expect(params.get("error_description")).toMatch(new RegExp(`^AADSTS${aadsts}: `));
      expect(params.get("state")).toBe(state);
      // Only this app's next request: the one after shows the sign-in page again.
      expect((await request(authorizeUrl(emulator).url)).status).toBe(200);
    },
  );

  it("an authorize fault for another app leaves this app's sign-in alone", async () => {
    await queue(
      "authorize",
      { kind: "error", error: "access_denied", aadsts: 65004 },
      defaults.daemonApp,
    );
    expect((await request(authorizeUrl(emulator).url)).status).toBe(200);
    await control("DELETE", "/faults");
  });
});

describe("broken token and JWKS answers over HTTP", () => {
  async function code() {
    const { url, verifier } = authorizeUrl(emulator);
    const { location } = await pickAccount(emulator, url, { user: "lee@contoso.onmicrosoft.com" });
    return { code: responseParams(location).get("code") ?? "", code_verifier: verifier };
  }

  it("status 503: the token endpoint answers 503, then redeems the same code", async () => {
    await queue("token", { kind: "status", status: 503 });
    const fields = await code();
    expect((await redeem(emulator, fields)).status).toBe(503);
    expect((await redeem(emulator, fields)).status).toBe(200);
  });

  it("malformed: a 200 whose body is not JSON", async () => {
    await queue("token", { kind: "malformed" });
    const res = await redeem(emulator, await code());
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text())).toThrow();
  });

  it("truncated: 200 and half the announced body, then the connection closes", async () => {
    await queue("token", { kind: "truncated" });
    const fields = new URLSearchParams({
      grant_type: "authorization_code",
      client_id: defaults.webApp,
      client_secret: defaults.webAppSecret,
      redirect_uri: REDIRECT_URI,
      ...(await code()),
    }).toString();
    const seen = await new Promise<{ status: number; announced: number; received: number }>(
      (resolve, reject) => {
        const req = httpsRequest(`${emulator.urls.https}/organizations/oauth2/v2.0/token`, {
          method: "POST",
          ca: emulator.caCertPem,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        req.on("response", (res) => {
          let received = 0;
          res.on("data", (chunk: Buffer) => {
            received += chunk.length;
          });
          res.on("error", () =>
            resolve({
              status: res.statusCode ?? 0,
              announced: Number(res.headers["content-length"]),
              received,
            }),
          );
          res.on("end", () => reject(new Error("the body was complete")));
        });
        req.on("error", reject);
        req.end(fields);
      },
    );
    expect(seen.status).toBe(200);
    expect(seen.received).toBeGreaterThan(0);
    expect(seen.received).toBeLessThan(seen.announced);
  });

  it("drop: the connection closes without an answer", async () => {
    await queue("token", { kind: "drop" });
    await expect(redeem(emulator, await code())).rejects.toThrow();
  });

  it("delay: the answer comes, later", async () => {
    await queue("token", { kind: "delay", ms: 300 });
    expect((await redeem(emulator, await code())).status).toBe(200);
  });

  it("keys down: the JWKS endpoint answers 503 for as many requests as queued", async () => {
    const res = await control("POST", "/faults", {
      endpoint: "keys",
      fault: { kind: "status", status: 503 },
      times: 2,
    });
    expect(res.status).toBe(200);
    const keysUrl = `${emulator.urls.https}/common/discovery/v2.0/keys`;
    expect((await request(keysUrl, { ca: emulator.caCertPem })).status).toBe(503);
    expect((await request(keysUrl, { ca: emulator.caCertPem })).status).toBe(503);
    expect((await request(keysUrl, { ca: emulator.caCertPem })).status).toBe(200);
  });
});
