/**
 * requireBearer: a token from the emulator lets the caller through onto the context; every
 * refusal is RFC 6750's challenge and JSON — a missing header, another audience, a missing scope,
 * the wrong kind of caller, an expired token, and forgeries signed with a key the emulator does
 * not publish.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { defaults } from "@entrance/emulator";
import { clientCredentialsToken, signInWithoutBrowser } from "@entrance/emulator/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { signedIn } from "./browser.js";
import { BEARER } from "./harness.js";
import type { Running } from "./setup.js";

const MEGAN = "megan@contoso.onmicrosoft.com";
const LEE = "lee@contoso.onmicrosoft.com";
const API = `api://${defaults.webApp}`;
const USER_ROUTE = "/api/bearer/user";
const APP_ROUTE = "/api/bearer/app";

export function bearerCases(t: () => Running): void {
  describe("requireBearer", () => {
    /** Megan's delegated token for the app's API with the route's scope, from the emulator. */
    let megan: string;
    beforeAll(async () => {
      megan = await userToken(t(), MEGAN, `${API}/${BEARER.scope}`);
    });

    it("lets an emulator token through and puts its caller on the request's context", async () => {
      const response = await call(t(), USER_ROUTE, megan);
      expect(response.status).toBe(200);
      const { caller } = (await response.json()) as { caller: Record<string, unknown> };
      expect(caller).toMatchObject({
        kind: "user",
        tenantId: defaults.contoso,
        objectId: defaults.users.admin,
        appId: defaults.webApp,
        version: 2,
      });
      expect(caller.scopes).toContain(BEARER.scope);
      // Again: a token seen before is answered from the verified tokens, with the same caller.
      const again = await call(t(), USER_ROUTE, megan);
      expect(((await again.json()) as { caller: unknown }).caller).toEqual(caller);
    });

    it("answers 401 with a bare Bearer challenge and JSON without a token, even to a signed-in page request", async () => {
      const { emulator, base } = t();
      const lee = await signedIn(emulator, base, LEE);
      for (const response of [
        await fetch(`${base}${USER_ROUTE}`, { headers: { accept: "application/json" } }),
        await lee.page(USER_ROUTE),
        await call(t(), USER_ROUTE, megan, "Basic"),
      ]) {
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe("Bearer");
        expect(response.headers.get("cache-control")).toBe("no-store");
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        expect(await response.json()).toMatchObject({
          error: "bearer_token_missing",
          reason: "missing",
        });
      }
    });

    it("refuses a token for another audience (Microsoft Graph's) with 401 invalid_token", async () => {
      const graph = await userToken(t(), MEGAN, "User.Read");
      const response = await call(t(), USER_ROUTE, graph);
      expectInvalid(response, "audience");
      expect(await response.json()).toMatchObject({
        error: "bearer_token_invalid",
        reason: "audience",
      });
    });

    it("answers 403 insufficient_scope naming the scope the route requires", async () => {
      const lee = await userToken(t(), LEE, `${API}/access_as_user`);
      const response = await call(t(), USER_ROUTE, lee);
      expect(response.status).toBe(403);
      expect(response.headers.get("www-authenticate")).toBe(
        `Bearer error="insufficient_scope", error_description="The token lacks one of the delegated scopes this API requires.", scope="${BEARER.scope}"`,
      );
      expect(await response.json()).toMatchObject({
        error: "bearer_insufficient_scope",
        reason: "scope",
        scope: BEARER.scope,
      });
    });

    it("keeps app-only tokens off a user route and users off an app route; lets the app in where its role is required", async () => {
      const { accessToken: daemon } = await clientCredentialsToken(t().emulator);
      const onUserRoute = await call(t(), USER_ROUTE, daemon);
      expect(onUserRoute.status).toBe(403);
      expect(onUserRoute.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
      expect(await onUserRoute.json()).toMatchObject({
        reason: "caller_kind",
        message: "This API does not accept app-only tokens.",
      });
      const userOnAppRoute = await call(t(), APP_ROUTE, megan);
      expect(userOnAppRoute.status).toBe(403);
      expect(await userOnAppRoute.json()).toMatchObject({ reason: "caller_kind" });

      const appIn = await call(t(), APP_ROUTE, daemon);
      expect(appIn.status).toBe(200);
      expect(((await appIn.json()) as { caller: unknown }).caller).toMatchObject({
        kind: "app",
        appId: defaults.daemonApp,
        tenantId: defaults.contoso,
        roles: [BEARER.role],
        scopes: [],
      });
    });

    it("refuses an expired emulator token with 401 invalid_token", async () => {
      const { emulator } = t();
      // Issued in the emulator's past: expired by more than the allowed clock skew (300 s).
      const back = emulator.control.setLifetimes({}).accessToken + 600;
      emulator.control.shiftClock(-back);
      let expired: string;
      try {
        expired = (await clientCredentialsToken(emulator)).accessToken;
      } finally {
        emulator.control.shiftClock(back);
      }
      const response = await call(t(), APP_ROUTE, expired);
      expectInvalid(response, "expired");
      expect(await response.json()).toMatchObject({ reason: "expired" });
    });

    it("refuses forgeries: a real token's claims signed with a key the emulator does not publish", async () => {
      const [header = "", payload = ""] = megan.split(".");
      const { kid } = JSON.parse(Buffer.from(header, "base64url").toString()) as { kid: string };
      // Under the emulator's key id: the signature does not verify.
      const sameKid = forge(header, payload);
      // Under a key id of its own: unknown even after the key set is read again.
      const ownKid = forge(
        Buffer.from(JSON.stringify({ typ: "JWT", alg: "RS256", kid: `${kid}-forged` })).toString(
          "base64url",
        ),
        payload,
      );
      for (const [token, reason] of [
        [sameKid, "signature"],
        [ownKid, "key_unknown"],
      ] as const) {
        const response = await call(t(), USER_ROUTE, token);
        expectInvalid(response, reason);
        const body = (await response.json()) as Record<string, unknown>;
        expect(body).toMatchObject({ error: "bearer_token_invalid", reason });
        expect(body).not.toHaveProperty("caller");
      }
    });
  });
}

/** A delegated access token for `scope`, from a sign-in on the emulator's pages. */
async function userToken({ emulator, base }: Running, user: string, scope: string) {
  const { accessToken } = await signInWithoutBrowser(emulator, {
    user,
    scopes: [scope],
    redirectUri: `${base}/auth/callback`,
  });
  return accessToken;
}

/** GETs an API route with `Authorization: {scheme} {token}`. */
function call({ base }: Running, path: string, token: string, scheme = "Bearer") {
  return fetch(`${base}${path}`, {
    headers: { authorization: `${scheme} ${token}`, accept: "application/json" },
  });
}

/** A 401 `invalid_token` challenge, never cached. */
function expectInvalid(response: Response, reason: string): void {
  expect(response.status, reason).toBe(401);
  expect(response.headers.get("www-authenticate"), reason).toMatch(
    /^Bearer error="invalid_token", error_description="[^"]+"$/,
  );
  expect(response.headers.get("cache-control")).toBe("no-store");
}

let forger: KeyObject | undefined;

/** `header.payload` signed RS256 with a key of the test's own. */
function forge(header: string, payload: string): string {
  forger ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), forger);
  return `${header}.${payload}.${signature.toString("base64url")}`;
}
