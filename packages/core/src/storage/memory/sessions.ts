/** The memory store's sessions, keyed by the hash of their cookie. */
import type { SessionRecord, SessionStore } from "../types.js";
import { copyDate, type Guard, userKey } from "./shared.js";

function copySession(session: SessionRecord): SessionRecord {
  return {
    idHash: session.idHash,
    tenantId: session.tenantId,
    objectId: session.objectId,
    sid: session.sid,
    createdAt: copyDate(session.createdAt, "createdAt"),
    lastSeenAt: copyDate(session.lastSeenAt, "lastSeenAt"),
    idleExpiresAt: copyDate(session.idleExpiresAt, "idleExpiresAt"),
    absoluteExpiresAt: copyDate(session.absoluteExpiresAt, "absoluteExpiresAt"),
    ip: session.ip,
    userAgent: session.userAgent,
  };
}

/** Sessions; the bulk deletes scan them all, which is fine at a memory store's size. */
export function memorySessions(open: Guard): SessionStore {
  const sessions = new Map<string, SessionRecord>();
  return {
    async create(session) {
      await open();
      const copy = copySession(session);
      // Like a primary key: an id hash is never reused, so a second create is a bug to surface.
      if (sessions.has(copy.idHash)) throw new Error("A session with this id hash already exists");
      sessions.set(copy.idHash, copy);
    },
    async get(idHash) {
      await open();
      const session = sessions.get(idHash);
      return session ? copySession(session) : null;
    },
    async touch(idHash, lastSeenAt, idleExpiresAt) {
      await open();
      const session = sessions.get(idHash);
      const seen = copyDate(lastSeenAt, "lastSeenAt");
      const idle = copyDate(idleExpiresAt, "idleExpiresAt");
      if (session) sessions.set(idHash, { ...session, lastSeenAt: seen, idleExpiresAt: idle });
    },
    async delete(idHash) {
      await open();
      sessions.delete(idHash);
    },
    async deleteBySid(sid) {
      await open();
      const ended = new Map<string, { tenantId: string; objectId: string }>();
      for (const [idHash, session] of sessions) {
        if (session.sid !== sid) continue;
        sessions.delete(idHash);
        const { tenantId, objectId } = session;
        ended.set(userKey(tenantId, objectId), { tenantId, objectId });
      }
      return [...ended.values()];
    },
    async deleteByUser(tenantId, objectId) {
      await open();
      let count = 0;
      for (const [idHash, session] of sessions) {
        if (session.tenantId !== tenantId || session.objectId !== objectId) continue;
        sessions.delete(idHash);
        count += 1;
      }
      return count;
    },
    async listByUser(tenantId, objectId) {
      await open();
      return [...sessions.values()]
        .filter((session) => session.tenantId === tenantId && session.objectId === objectId)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map(copySession);
    },
    async deleteExpired(now) {
      await open();
      const time = copyDate(now, "now").getTime();
      let count = 0;
      for (const [idHash, session] of sessions) {
        const { idleExpiresAt, absoluteExpiresAt } = session;
        if (idleExpiresAt.getTime() > time && absoluteExpiresAt.getTime() > time) continue;
        sessions.delete(idHash);
        count += 1;
      }
      return count;
    },
  };
}
