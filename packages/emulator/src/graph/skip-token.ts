import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Opaque `$skiptoken` values for paged lists. A token carries its offset and a MAC over the list it
 * belongs to, so a token edited by hand, or taken from another user's list, is refused (400)
 * instead of silently paging from somewhere else. Tokens live as long as the emulator.
 */
export class SkipTokens {
  readonly #key = randomBytes(32);

  issue(list: string, offset: number): string {
    return Buffer.from(`${offset}.${this.#mac(list, offset)}`).toString("base64url");
  }

  /** The offset a token stands for, or undefined when it was not issued for `list`. */
  read(list: string, token: string): number | undefined {
    const [offsetText, mac] = Buffer.from(token, "base64url").toString("utf8").split(".");
    if (!offsetText || !mac || !/^\d{1,9}$/.test(offsetText)) return undefined;
    const offset = Number(offsetText);
    const given = Buffer.from(mac);
    const expected = Buffer.from(this.#mac(list, offset));
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? offset
      : undefined;
  }

  #mac(list: string, offset: number): string {
    return createHmac("sha256", this.#key)
      .update(`${list}\n${offset}`)
      .digest("base64url")
      .slice(0, 22);
  }
}
