import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Caller, createEntrance, type UserRecord } from "@entrance/core";
import { defaults } from "@entrance/emulator";
import {
  clientCredentialsToken,
  consentRequired,
  createTestCertificate,
  interactionRequired,
  signInWithoutBrowser,
} from "@entrance/emulator/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleEntranceErrors, requireBearer } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

const API = `api://${defaults.webApp}`;
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
const OBO = "token:urn:ietf:params:oauth:grant-type:jwt-bearer";
const APP_ONLY = "token:client_credentials";
describe.each(["secret", "certificate"] as const)("with a %s credential", (credential) => {
  let t: TestApp;

  beforeAll(async () => {
    // The certificate (a PEM file with its key) exists before the app starts; it is registered on
    // the app once the emulator runs. The secret stays registered, unused by this app.
    const cert = credential === "certificate" ? await createTestCertificate() : undefined;
    let certificatePath: string | undefined;
    if (cert) {
      const folder = await mkdtemp(join(tmpdir(), "entrance-downstream-"));
      certificatePath = join(folder, "app.pem");
      await writeFile(certificatePath, `${cert.certPem}\n${cert.keyPem}`);
    }
    t = await startTestApp(
      (app) => {
        app.get("/api/me", requireBearer({ scopes: ["Orders.Read"] }), async (req, res, next) => {
          try {
            res.json(await req.entrance.graphOnBehalfOf.api("/me").get());
          } catch (error) {
            next(error);
          }
        });
        app.get(
          "/api/daemon",
          requireBearer({ roles: [defaults.daemonRole] }),
          async (req, res, next) => {
            try {
              const token = await req.entrance.getAccessTokenOnBehalfOf("User.Read");
              res.json({ scopes: token.scopes });
            } catch (error) {
              next(error);
            }
          },
        );
        app.use(handleEntranceErrors());
      },
      cert ? { clientSecret: undefined, clientCertificatePath: certificatePath } : {},
    );
    // The web app may read every user's profile as itself (admin consent to User.Read.All).
    const registered = t.emulator.directory.app(defaults.webApp)?.value;
    t.emulator.control.putApp(defaults.contoso, {
      ...registered,
      clientId: defaults.webApp,
      displayName: "Express test app",
      applicationPermissions: { [GRAPH_APP_ID]: ["User.Read.All"] },
      ...(cert ? { certificates: [cert.certPem] } : {}),
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A user's access token for the web app's API, as a client of the API would hold it. */
  async function apiToken(user: string): Promise<string> {
    return (
      await signInWithoutBrowser(t.emulator, {
        user,
        scopes: [`${API}/Orders.Read`],
        redirectUri: `${t.base}/auth/callback`,
      })
    ).accessToken;
  }

  async function counted(key: string): Promise<number> {
    return ((await t.emulator.control.counts()) as Record<string, number>)[key] ?? 0;
  }

  function call(path: string, token: string): Promise<Response> {
    return fetch(`${t.base}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
  }

  describe("on-behalf-of", () => {
    it("calls Graph as the API's caller, and serves the second call from the store", async () => {
      const token = await apiToken("megan@contoso.onmicrosoft.com");
      const before = await counted(OBO);
      const first = await call("/api/me", token);
      expect(first.status).toBe(200);
      expect(((await first.json()) as { displayName: string }).displayName).toBe("Megan Bowen");
      expect(await counted(OBO)).toBe(before + 1);
      const second = await call("/api/me", token);
      expect(second.status).toBe(200);
      expect(await counted(OBO)).toBe(before + 1);
      // Kept per user in the store, encrypted, apart from the user's sign-in tokens.
      const kept = await t.core.store.tokens.get(`obo:${defaults.users.admin}.${defaults.contoso}`);
      expect(kept).not.toBeNull();
      expect(Buffer.from(kept ?? []).toString("latin1")).not.toContain("Megan");
      // Evicting the user's tokens (admin panel, disable, dead refresh token) takes these too.
      const megan = {
        tenantId: defaults.contoso,
        objectId: defaults.users.admin,
        displayName: "Megan Bowen",
      } as UserRecord;
      await t.core.users.evictTokens(megan, { user: megan, ip: null });
      expect(
        await t.core.store.tokens.get(`obo:${defaults.users.admin}.${defaults.contoso}`),
      ).toBeNull();
      expect((await call("/api/me", token)).status).toBe(200);
      expect(await counted(OBO)).toBe(before + 2);
    });

    it("asks Entra once for parallel calls of one caller", async () => {
      const token = await apiToken("adele@contoso.onmicrosoft.com");
      const before = await counted(OBO);
      const answers = await Promise.all(Array.from({ length: 6 }, () => call("/api/me", token)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await counted(OBO)).toBe(before + 1);
    });

    it("makes one grant for two instances sharing a store", async () => {
      const token = await apiToken("adele@contoso.onmicrosoft.com");
      const claims = JSON.parse(
        Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"),
      ) as { oid: string; tid: string };
      const caller = { kind: "user", tenantId: claims.tid, objectId: claims.oid } as Caller;
      // A second core on the same store (not closed here: the store is the first one's).
      const other = createEntrance({ ...t.settings, store: t.core.store });
      const before = await counted(OBO);
      const answers = await Promise.all(
        [t.core, other, t.core, other].map((core) =>
          core.getAccessTokenOnBehalfOf(caller, token, "User.Read"),
        ),
      );
      expect(new Set(answers.map((a) => a.token)).size).toBe(1);
      expect(await counted(OBO)).toBe(before + 1);
    });

    it("answers consent_required downstream with a 401 step-up challenge", async () => {
      const token = await apiToken("alex@contoso.onmicrosoft.com");
      t.emulator.control.queueFault("token", consentRequired(), 1, { clientId: defaults.webApp });
      const answer = await call("/api/me", token);
      expect(answer.status).toBe(401);
      expect(answer.headers.get("www-authenticate")).toMatch(
        /^Bearer error="interaction_required"/,
      );
      const body = (await answer.json()) as { error: string; aadsts: number };
      expect(body.error).toBe("downstream_interaction_required");
      expect(body.aadsts).toBe(65001);
    });

    it("passes a downstream claims challenge to the caller", async () => {
      const token = await apiToken("lee@contoso.onmicrosoft.com");
      t.emulator.control.queueFault("token", interactionRequired(), 1, {
        clientId: defaults.webApp,
      });
      const answer = await call("/api/me", token);
      expect(answer.status).toBe(401);
      const header = answer.headers.get("www-authenticate") ?? "";
      expect(header).toMatch(/error="insufficient_claims"/);
      const claims = /claims="([^"]+)"/.exec(header)?.[1] ?? "";
      expect(JSON.parse(Buffer.from(claims, "base64").toString("utf8"))).toHaveProperty(
        "access_token.capolids",
      );
      expect(((await answer.json()) as { error: string }).error).toBe(
        "downstream_interaction_required",
      );
    });

    it("refuses an app-only caller: on-behalf-of needs a user", async () => {
      const answer = await call(
        "/api/daemon",
        (await clientCredentialsToken(t.emulator)).accessToken,
      );
      expect(answer.status).toBe(403);
      expect(((await answer.json()) as { error: string }).error).toBe("on_behalf_of_needs_user");
    });
  });

  describe("app-only", () => {
    it("gets the app's token once for parallel calls and keeps it", async () => {
      const before = await counted(APP_ONLY);
      const scope = "https://graph.microsoft.com/.default";
      const tokens = await Promise.all(
        Array.from({ length: 5 }, () => t.core.getAppToken(scope, { tenantId: defaults.contoso })),
      );
      expect(new Set(tokens.map((x) => x.token)).size).toBe(1);
      await t.core.getAppToken(scope, { tenantId: defaults.contoso });
      expect(await counted(APP_ONLY)).toBe(before + 1);
    });

    it("reads a user's profile with the app's Graph client", async () => {
      const graph = t.core.appGraph({ tenantId: defaults.contoso });
      const user = (await graph.api(`/users/${defaults.users.admin}`).get()) as {
        displayName: string;
      };
      expect(user.displayName).toBe("Megan Bowen");
    });

    it("needs a tenant when the app is multi-tenant", async () => {
      await expect(
        t.core.getAppToken("https://graph.microsoft.com/.default"),
      ).rejects.toMatchObject({
        code: "config_invalid",
      });
    });
  });
});
