import { describe, expect, it } from "vitest";
import { accessTokenEntries, cachedAccessToken } from "../src/tokens/cache-hit.js";

const USER = { tenantId: "t-1", objectId: "o-1" };
const CLIENT = "client-1";
const NOW = 1_800_000_000_000;

/** A serialized MSAL cache holding the given access-token entries (MSAL's field names). */
function cacheWith(...entries: Record<string, unknown>[]): string {
  const tokens = Object.fromEntries(
    entries.map((entry, i) => [
      `key-${i}`,
      {
        home_account_id: "o-1.t-1",
        environment: "login.example",
        credential_type: "AccessToken",
        client_id: CLIENT,
        secret: `token-${i}`,
        realm: "t-1",
        target: "User.Read openid profile",
        cached_at: String(NOW / 1000 - 60),
        expires_on: String(NOW / 1000 + 3600),
        token_type: "Bearer",
        ...entry,
      },
    ]),
  );
  return JSON.stringify({ Account: {}, IdToken: {}, AccessToken: tokens, RefreshToken: {} });
}

const hit = (cache: string, scopes: string[]) =>
  cachedAccessToken(accessTokenEntries(cache), USER, CLIENT, scopes, NOW);

describe("the cache hit without MSAL", () => {
  it("answers the token MSAL would hand back: same account, client, scopes, not about to expire", () => {
    const answer = hit(cacheWith({}), ["user.read", "openid", "offline_access"]);
    expect(answer).toEqual({
      token: "token-0",
      expiresOn: new Date(NOW + 3_600_000),
      scopes: ["User.Read", "openid", "profile"],
    });
    expect(
      hit(cacheWith({ target: "https://graph.microsoft.com/Mail.Read" }), ["Mail.Read"])?.token,
    ).toBe("token-0");
  });

  it("picks the entry that covers every scope asked", () => {
    const cache = cacheWith({ target: "User.Read" }, { target: "Mail.Read User.Read" });
    expect(hit(cache, ["Mail.Read", "User.Read"])?.token).toBe("token-1");
  });

  it("leaves to MSAL what MSAL would not simply hand back", () => {
    expect(hit(cacheWith({}), ["Mail.Read"])).toBeNull(); // not granted
    expect(hit(cacheWith({ expires_on: String(NOW / 1000 + 299) }), ["User.Read"])).toBeNull();
    expect(hit(cacheWith({ refresh_on: String(NOW / 1000 - 1) }), ["User.Read"])).toBeNull();
    expect(hit(cacheWith({ home_account_id: "other.t-1" }), ["User.Read"])).toBeNull();
    expect(hit(cacheWith({ client_id: "another-app" }), ["User.Read"])).toBeNull();
    expect(hit(cacheWith({ token_type: "pop" }), ["User.Read"])).toBeNull();
    expect(hit(cacheWith({ requestedClaimsHash: "abc" }), ["User.Read"])).toBeNull();
    expect(
      hit(cacheWith({ credential_type: "AccessToken_With_AuthScheme" }), ["User.Read"]),
    ).toBeNull();
    expect(hit("{not json", ["User.Read"])).toBeNull();
    expect(hit(JSON.stringify({}), ["User.Read"])).toBeNull();
  });
});
