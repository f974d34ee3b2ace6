/** What a user's stored tokens are for, without any token value. */
export interface TokenSummary {
  readonly accessTokens: readonly {
    readonly scopes: readonly string[];
    readonly expiresOn: Date;
  }[];
  readonly hasRefreshToken: boolean;
}

/** The sections of MSAL's serialized cache, each a map of cache keys to entries. */
const SECTIONS = ["Account", "IdToken", "AccessToken", "RefreshToken", "AppMetadata"] as const;

/**
 * Merges a user's newly acquired MSAL cache into the one already stored for that same user: new
 * entries win (the newest refresh token, the new ID token), and tokens for other resources stay.
 * Both must belong to one account; the caller guarantees it by the partition they come from.
 */
export function mergeCaches(stored: string | null, fresh: string): string {
  if (!stored) return fresh;
  let older: Record<string, Record<string, unknown>>;
  let newer: Record<string, Record<string, unknown>>;
  try {
    older = JSON.parse(stored);
    newer = JSON.parse(fresh);
  } catch {
    return fresh;
  }
  const merged: Record<string, Record<string, unknown>> = { ...older, ...newer };
  for (const section of SECTIONS) {
    merged[section] = { ...(older[section] ?? {}), ...(newer[section] ?? {}) };
  }
  return JSON.stringify(merged);
}

/** Scopes and expiry of each cached access token, and whether a refresh token is there. */
export function summarizeCache(serialized: string): TokenSummary {
  let cache: Record<string, Record<string, { target?: unknown; expires_on?: unknown }>>;
  try {
    cache = JSON.parse(serialized);
  } catch {
    return { accessTokens: [], hasRefreshToken: false };
  }
  const accessTokens = Object.values(cache.AccessToken ?? {}).map((entry) => ({
    scopes: String(entry.target ?? "")
      .split(" ")
      .filter(Boolean),
    expiresOn: new Date(Number(entry.expires_on ?? 0) * 1000),
  }));
  return { accessTokens, hasRefreshToken: Object.keys(cache.RefreshToken ?? {}).length > 0 };
}
