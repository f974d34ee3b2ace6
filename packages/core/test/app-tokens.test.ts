import type { ConfidentialClientApplication } from "@azure/msal-node";
import { describe, expect, it } from "vitest";
import { stepUp } from "../src/http/responses.js";
import { EntranceError } from "../src/index.js";
import { AppTokens } from "../src/tokens/app-only.js";

/** An MSAL client stand-in that issues numbered tokens valid for an hour from `now`. */
function fakeEntra(clock: { now: number }) {
  const requests: { scopes: string[]; claims?: string }[] = [];
  const client = {
    async acquireTokenByClientCredential(request: { scopes: string[]; claims?: string }) {
      requests.push(request);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return {
        accessToken: `token-${requests.length}`,
        expiresOn: new Date(clock.now + 3600_000),
        scopes: request.scopes,
      };
    },
  } as unknown as ConfidentialClientApplication;
  return { requests, clientFor: async () => client };
}

describe("app-only tokens", () => {
  it("asks once for parallel requests and keeps the token until five minutes before expiry", async () => {
    const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
    const entra = fakeEntra(clock);
    const tokens = new AppTokens(entra.clientFor, () => clock.now);
    const scopes = ["https://graph.microsoft.com/.default"];
    const parallel = await Promise.all([1, 2, 3, 4].map(() => tokens.get("t1", scopes)));
    expect(new Set(parallel.map((t) => t.token))).toEqual(new Set(["token-1"]));
    clock.now += 54 * 60_000;
    expect((await tokens.get("t1", scopes)).token).toBe("token-1");
    clock.now += 2 * 60_000; // 4 minutes left: renewed
    expect((await tokens.get("t1", scopes)).token).toBe("token-2");
    expect(entra.requests).toHaveLength(2);
  });

  it("keeps tokens apart per tenant, and asks anew for claims or a forced refresh", async () => {
    const clock = { now: Date.now() };
    const entra = fakeEntra(clock);
    const tokens = new AppTokens(entra.clientFor, () => clock.now);
    const scopes = ["api://orders/.default"];
    await tokens.get("t1", scopes);
    await tokens.get("t2", scopes);
    await tokens.get("t1", scopes, { claims: '{"access_token":{}}' });
    await tokens.get("t1", scopes, { forceRefresh: true });
    expect(entra.requests).toHaveLength(4);
    expect(entra.requests[2]?.claims).toBe('{"access_token":{}}');
  });
});

describe("the step-up answer to a downstream interaction", () => {
  it("carries the claims challenge in WWW-Authenticate and the JSON body", async () => {
    const claims = '{"access_token":{"capolids":{"essential":true,"values":["p1"]}}}';
    const answer = stepUp(
      new EntranceError("downstream_interaction_required", "Entra needs the user", {
        aadsts: 50076,
        interaction: { scopes: ["User.Read"], claims },
      }),
    );
    expect(answer.status).toBe(401);
    const header = answer.headers.get("www-authenticate") ?? "";
    expect(header).toMatch(/^Bearer error="insufficient_claims", error_description="[^"]+"/);
    const encoded = /claims="([^"]+)"/.exec(header)?.[1] ?? "";
    expect(Buffer.from(encoded, "base64").toString("utf8")).toBe(claims);
    expect(await answer.json()).toMatchObject({
      error: "downstream_interaction_required",
      aadsts: 50076,
      claims,
    });
    expect(answer.headers.get("cache-control")).toBe("no-store");
  });

  it("says interaction_required without claims (consent)", () => {
    const answer = stepUp(
      new EntranceError("downstream_interaction_required", "consent", {
        aadsts: 65001,
        interaction: { scopes: ["User.Read"] },
      }),
    );
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer error="interaction_required"/);
    expect(answer.headers.get("www-authenticate")).not.toMatch(/claims=/);
  });
});
