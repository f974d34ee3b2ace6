import { randomUUID } from "node:crypto";
import type { SessionRecord } from "@entrance/core";

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
