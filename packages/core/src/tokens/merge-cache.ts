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
