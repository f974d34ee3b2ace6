import { randomUUID } from "node:crypto";
import type { EntranceStore, SessionRecord } from "@entrance/core";
import { expect } from "vitest";

/** A live session (an hour ahead) of the user with this tenant and object id. */
export function sessionOf(user: { tenantId: string; objectId: string }): SessionRecord {
  const at = new Date();
  return {
    idHash: randomUUID(),
    tenantId: user.tenantId,
    objectId: user.objectId,
    sid: null,
    createdAt: at,
    lastSeenAt: at,
    idleExpiresAt: new Date(at.getTime() + 3_600_000),
    absoluteExpiresAt: new Date(at.getTime() + 3_600_000),
    ip: null,
    userAgent: null,
  };
}

/**
 * Gives `user`, whose `roles` column was damaged, a session, and expects the session-with-user
 * read (one query, a join) to fail as `users.get` does: naming the table, the user and the column.
 */
export async function expectJoinedReadToReportCorruptRoles(
  store: Pick<EntranceStore, "sessions" | "signedIn"> | undefined,
  user: { tenantId: string; objectId: string },
): Promise<void> {
  const session = sessionOf(user);
  await store?.sessions.create(session);
  const joined = store?.signedIn?.(session.idHash);
  await expect(joined).rejects.toThrow(/entrance_users/);
  await expect(joined).rejects.toThrow(user.objectId);
  await expect(joined).rejects.toThrow(/column roles is not valid JSON/);
}
