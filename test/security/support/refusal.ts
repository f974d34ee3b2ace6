import { expect } from "vitest";
import type { RelyingParty } from "./relying-party.js";

/** The users a case's sign-in could have stored: the one who signed in, and another tenant's. */
export const SIGNED_IN = "lee@contoso.onmicrosoft.com";
export const OTHER_TENANT = "mallory@fabrikam.onmicrosoft.com";

/**
 * The refusal a user would check: the status and stable code as JSON, no session cookie, and
 * nothing kept: no user, session, token partition or pending sign-in, and one audit event at most.
 */
export async function expectRefused(
  rp: RelyingParty,
  response: Response,
  status: number,
  code: string,
): Promise<void> {
  const body = (await response.json()) as { error?: string; message?: string };
  expect({ status: response.status, error: body.error }).toEqual({ status, error: code });
  expect(body.message).toMatch(/\S/);
  expect(response.headers.getSetCookie().join(";")).not.toMatch(/entrance-session=[^;]/);
  const stored = await rp.stored(SIGNED_IN, OTHER_TENANT);
  expect(stored).toMatchObject({ users: 0, sessions: 0, tokenPartitions: 0, pendingSignIns: 0 });
  expect(stored.audit.length).toBeLessThanOrEqual(1);
  for (const event of stored.audit) expect(event.type).toBe("sign_in_failed");
}

/** A completed sign-in: the redirect to returnTo, one user, one session, one token partition. */
export async function expectSignedIn(rp: RelyingParty, response: Response): Promise<void> {
  expect(response.status).toBe(302);
  expect(response.headers.get("location")).toBe("/me");
  const stored = await rp.stored(SIGNED_IN);
  expect(stored).toMatchObject({ users: 1, sessions: 1, tokenPartitions: 1, pendingSignIns: 0 });
}
