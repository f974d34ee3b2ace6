/**
 * A cache hit without MSAL: the access token a user's partition already holds for some scopes,
 * read straight from MSAL's serialized cache. Building an MSAL client and asking it costs about
 * ten times the store read and decryption together; on a hit it would return the same entry.
 * Anything MSAL would not simply hand back (close to expiry, due for a proactive refresh, another
 * token type, a claims request) is left to MSAL.
 */
import type { AccessToken, UserKey } from "./acquire.js";
import { isB2cAccountOf } from "./b2c.js";

/** MSAL renews a token this close to its expiry (its `tokenRenewalOffsetSeconds`). */
export const RENEWAL_OFFSET_S = 300;

/** Scopes MSAL adds to every request and never stores in an access token's target. */
const OIDC_SCOPES: ReadonlySet<string> = new Set(["openid", "profile", "offline_access", "email"]);

/**
 * An access-token entry of MSAL's serialized cache, with the fields a hit reads (MSAL's names).
 * A partition keeps these apart from the whole cache (its index), so that a hit reads, decrypts
 * and parses these entries of known shape alone, not the whole cache with its per-user property
 * names, refresh token, ID token and accounts.
 */
export interface CachedAccessToken {
  readonly home_account_id?: unknown;
  readonly credential_type?: unknown;
  readonly client_id?: unknown;
  readonly secret?: unknown;
  readonly target?: unknown;
  readonly expires_on?: unknown;
  readonly refresh_on?: unknown;
  readonly token_type?: unknown;
  readonly requestedClaimsHash?: unknown;
}

/**
 * The access-token entries of a serialized MSAL cache, reduced to what a hit reads; none when the
 * cache cannot be read (MSAL is then asked, and says why).
 */
export function accessTokenEntries(serialized: string): CachedAccessToken[] {
  let cache: { AccessToken?: Record<string, CachedAccessToken> };
  try {
    cache = JSON.parse(serialized);
  } catch {
    return [];
  }
  const entries = cache && typeof cache.AccessToken === "object" ? cache.AccessToken : null;
  if (!entries) return [];
  return Object.values(entries).flatMap((entry) =>
    entry && typeof entry === "object"
      ? [
          {
            home_account_id: entry.home_account_id,
            credential_type: entry.credential_type,
            client_id: entry.client_id,
            secret: entry.secret,
            target: entry.target,
            expires_on: entry.expires_on,
            refresh_on: entry.refresh_on,
            token_type: entry.token_type,
            requestedClaimsHash: entry.requestedClaimsHash,
          },
        ]
      : [],
  );
}

/**
 * The fresh access token for `scopes` among a user's cached entries, or null when MSAL has to be
 * asked (none, expiring within {@link RENEWAL_OFFSET_S}, due for refresh, or unreadable).
 */
export function cachedAccessToken(
  entries: readonly CachedAccessToken[],
  user: UserKey,
  clientId: string,
  scopes: readonly string[],
  nowMs = Date.now(),
): AccessToken | null {
  const account = `${user.objectId}.${user.tenantId}`;
  const wanted = scopes.map((s) => s.toLowerCase()).filter((s) => !OIDC_SCOPES.has(s));
  const now = nowMs / 1000;
  for (const entry of entries) {
    if (
      !entry ||
      (entry.home_account_id !== account && !isB2cAccountOf(entry.home_account_id, user)) ||
      entry.credential_type !== "AccessToken" ||
      entry.client_id !== clientId ||
      typeof entry.secret !== "string" ||
      typeof entry.target !== "string" ||
      entry.requestedClaimsHash !== undefined ||
      (entry.token_type !== undefined && String(entry.token_type).toLowerCase() !== "bearer")
    ) {
      continue;
    }
    const expiresOn = Number(entry.expires_on);
    if (!(expiresOn - RENEWAL_OFFSET_S > now)) continue;
    if (entry.refresh_on !== undefined && Number(entry.refresh_on) <= now) continue;
    const target = entry.target.split(" ").filter(Boolean);
    const have = new Set(target.map((s) => s.toLowerCase()));
    if (!wanted.every((s) => have.has(s) || have.has(`https://graph.microsoft.com/${s}`))) continue;
    return { token: entry.secret, expiresOn: new Date(expiresOn * 1000), scopes: target };
  }
  return null;
}
