/**
 * A cache hit without MSAL: the access token a user's partition already holds for some scopes,
 * read straight from MSAL's serialized cache. Building an MSAL client and asking it costs about
 * ten times the store read and decryption together; on a hit it would return the same entry.
 * Anything MSAL would not simply hand back (close to expiry, due for a proactive refresh, another
 * token type, a claims request) is left to MSAL.
 */
import type { AccessToken, UserKey } from "./acquire.js";

/** MSAL renews a token this close to its expiry (its `tokenRenewalOffsetSeconds`). */
export const RENEWAL_OFFSET_S = 300;

/** Scopes MSAL adds to every request and never stores in an access token's target. */
const OIDC_SCOPES: ReadonlySet<string> = new Set(["openid", "profile", "offline_access", "email"]);

interface CachedAccessToken {
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
 * The fresh access token for `scopes` in a user's serialized MSAL cache, or null when MSAL has to
 * be asked (none, expiring within {@link RENEWAL_OFFSET_S}, due for refresh, or unreadable).
 */
export function cachedAccessToken(
  serialized: string,
  user: UserKey,
  clientId: string,
  scopes: readonly string[],
  nowMs = Date.now(),
): AccessToken | null {
  let cache: { AccessToken?: Record<string, CachedAccessToken> };
  try {
    cache = JSON.parse(serialized);
  } catch {
    return null;
  }
  const account = `${user.objectId}.${user.tenantId}`;
  const wanted = scopes.map((s) => s.toLowerCase()).filter((s) => !OIDC_SCOPES.has(s));
  const now = nowMs / 1000;
  for (const entry of Object.values(cache.AccessToken ?? {})) {
    if (
      entry.home_account_id !== account ||
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
