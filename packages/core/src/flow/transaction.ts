import { createHash } from "node:crypto";
import { z } from "zod";

/** What a started sign-in remembers until its callback. Kept server-side, taken once. */
export const transactionSchema = z.strictObject({
  nonce: z.string(),
  codeVerifier: z.string(),
  /** SHA-256 of the browser-binding cookie that started it. */
  bindingHash: z.string(),
  returnTo: z.string(),
  popup: z.boolean(),
  /** Scopes asked at the authorize endpoint. */
  scopes: z.array(z.string()),
  /** Scopes the code is redeemed for: one resource's. */
  redeemScopes: z.array(z.string()),
  /**
   * The redirect URI sent to Entra, which the code must be redeemed with. Absent in transactions
   * stored before it was recorded: those started on `baseUrl`.
   */
  redirectUri: z.string().optional(),
  createdAt: z.number(),
  /** The Azure AD B2C policy the sign-in was started with (B2C apps only). */
  policy: z.string().optional(),
});

export type LoginTransaction = z.output<typeof transactionSchema>;

/** Parses a stored transaction; a corrupt one counts as absent. */
export function parseTransaction(text: string): LoginTransaction | null {
  try {
    const result = transactionSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

/** The hash of a browser-binding cookie, as transactions keep it. */
export function bindingHash(binding: string): string {
  return createHash("sha256").update(binding).digest("base64url");
}
