/**
 * OAuth error codes (RFC 6749 4.1.2.1, 5.2) and MSAL's own `network_error` that say the identity
 * provider failed or could not be reached, rather than refused: the answer to the user is "try
 * again later" (`identity_provider_unavailable`), not "this sign-in is wrong".
 */
const UNAVAILABLE = new Set(["server_error", "temporarily_unavailable", "network_error"]);

/** Whether an error code from Entra or MSAL means the provider is unavailable. */
export function isProviderUnavailable(code: string | null | undefined): boolean {
  return code !== null && code !== undefined && UNAVAILABLE.has(code);
}
