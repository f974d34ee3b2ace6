import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

/**
 * Tokens that prove a POST came from a form the panel rendered for this admin session: an HMAC of
 * the session's id hash and the action's path, under a key derived from the app's secrets. Nothing
 * is stored; a token dies with the session, and one form's token does not work for another.
 * Older secrets still verify, so rotating ENTRANCE_SECRET does not break open forms.
 */
export class CsrfTokens {
  readonly #keys: readonly Buffer[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError("the admin panel needs at least one secret");
    this.#keys = secrets.map((secret) =>
      Buffer.from(hkdfSync("sha256", secret, "entrance-admin", "csrf-token", 32)),
    );
  }

  /** The token for a form posting to `path` from the session with `sessionIdHash`. */
  issue(sessionIdHash: string, path: string): string {
    return this.#mac(this.#keys[0] as Buffer, sessionIdHash, path);
  }

  verify(sessionIdHash: string, path: string, token: string | null): boolean {
    if (!token) return false;
    const given = Buffer.from(token);
    return this.#keys.some((key) => {
      const expected = Buffer.from(this.#mac(key, sessionIdHash, path));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }

  #mac(key: Buffer, sessionIdHash: string, path: string): string {
    return createHmac("sha256", key).update(`${sessionIdHash}\n${path}`).digest("base64url");
  }
}
