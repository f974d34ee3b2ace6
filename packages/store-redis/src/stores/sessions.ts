import type { SessionRecord, SessionStore } from "@entrance/core";
import type { Connection } from "../connection.js";
import { millisOf, readFailure, sessionFields, sessionFromHash } from "../records.js";

type UserKey = { tenantId: string; objectId: string };
type Ended = UserKey & { sid: string | null };

/**
 * Sessions as hashes that Redis expires at their idle or absolute expiry, whichever comes first
 * (`touch` moves it), with two indexes for the bulk ends: a user's sessions and the sessions of
 * an Entra `sid`. Each index is a sorted set scored by the sessions' absolute expiry, trimmed as
 * it is written and expiring with its last member, so it never grows past the sessions a user
 * (or a sid) started within one absolute timeout.
 *
 * A session and its indexes live in different hash slots (a session is found by its id hash
 * alone), so they are written by separate commands, in an order that keeps the indexes a
 * superset of the sessions: indexes first, then the session; the session first when one ends.
 * An index may thus name a session that is gone or (after a failed create) someone else's;
 * readers check each one against the session itself, and the end of a session by user or by sid
 * happens in a script that checks the session still belongs to that user or sid.
 */
export function redisSessions(connection: Connection): SessionStore {
  const { keys } = connection;

  /** Reads a session; null when absent. */
  async function read(idHash: string): Promise<SessionRecord | null> {
    const key = keys.session(idHash);
    let hash: Record<string, string>;
    try {
      hash = await connection.client().hgetall(key);
    } catch (error) {
      throw readFailure(key, error);
    }
    return sessionFromHash(key, idHash, hash);
  }

  /**
   * Ends one session if it matches: returns what it held (so its index entries can go),
   * `"absent"`, or `"other"` when it belongs to another user or sid (and is left as it was).
   */
  async function end(
    idHash: string,
    match: ["any"] | ["user", string, string] | ["sid", string],
  ): Promise<Ended | "absent" | "other"> {
    const key = keys.session(idHash);
    let ended: unknown;
    try {
      ended = await connection.scripts().entranceEndSession(key, ...match);
    } catch (error) {
      throw readFailure(key, error);
    }
    if (ended === 0) return "absent";
    if (ended === 1) return "other";
    const [tenantId, objectId, hasSid, sid] = ended as [string, string, string, string];
    return { tenantId, objectId, sid: hasSid === "1" ? sid : null };
  }

  /**
   * Ends every session an index names that still matches; drops the entries of sessions that
   * belong to someone else. An entry whose session is absent stays until its score passes: the
   * session may be one being created right now (its index entry is written first).
   */
  async function endAll(
    index: string,
    match: ["user", string, string] | ["sid", string],
  ): Promise<Ended[]> {
    const ended: Ended[] = [];
    for (const idHash of await members(index)) {
      const result = await end(idHash, match);
      if (result === "other") await connection.client().zrem(index, idHash);
      else if (result !== "absent") {
        ended.push(result);
        await unindex(idHash, result);
      }
    }
    return ended;
  }

  /** Removes index entries of sessions that ended; gone members are harmless, only untidy. */
  async function unindex(idHash: string, ended: Ended): Promise<void> {
    const client = connection.client();
    await Promise.all([
      client.zrem(keys.userSessions(ended.tenantId, ended.objectId), idHash),
      ended.sid === null ? null : client.zrem(keys.sidSessions(ended.sid), idHash),
    ]);
  }

  /** The members of an index, each an id hash. */
  async function members(index: string): Promise<string[]> {
    try {
      return await connection.client().zrange(index, 0, "-1");
    } catch (error) {
      throw readFailure(index, error);
    }
  }

  return {
    async create(session) {
      const fields = sessionFields(session);
      const expiresAt = Math.min(
        millisOf(session.idleExpiresAt, "idleExpiresAt"),
        millisOf(session.absoluteExpiresAt, "absoluteExpiresAt"),
      );
      const absolute = String(session.absoluteExpiresAt.getTime());
      const scripts = connection.scripts();
      await scripts.entranceIndexAdd(
        keys.userSessions(session.tenantId, session.objectId),
        absolute,
        session.idHash,
      );
      if (session.sid !== null) {
        await scripts.entranceIndexAdd(keys.sidSessions(session.sid), absolute, session.idHash);
      }
      const created = await scripts.entranceCreateSession(
        keys.session(session.idHash),
        String(expiresAt),
        ...fields,
      );
      if (created !== 1) throw new Error("A session with this id hash exists already");
    },

    get: read,

    async touch(idHash, lastSeenAt, idleExpiresAt) {
      await connection
        .scripts()
        .entranceTouchSession(
          keys.session(idHash),
          String(millisOf(lastSeenAt, "lastSeenAt")),
          String(millisOf(idleExpiresAt, "idleExpiresAt")),
        );
    },

    async delete(idHash) {
      const ended = await end(idHash, ["any"]);
      if (typeof ended === "object") await unindex(idHash, ended);
    },

    async deleteBySid(sid) {
      const users = new Map<string, UserKey>();
      for (const { tenantId, objectId } of await endAll(keys.sidSessions(sid), ["sid", sid])) {
        users.set(JSON.stringify([tenantId, objectId]), { tenantId, objectId });
      }
      return [...users.values()];
    },

    async deleteByUser(tenantId, objectId) {
      const index = keys.userSessions(tenantId, objectId);
      return (await endAll(index, ["user", tenantId, objectId])).length;
    },

    async listByUser(tenantId, objectId) {
      const index = keys.userSessions(tenantId, objectId);
      const found = await Promise.all((await members(index)).map(read));
      const sessions = found.filter(
        (session): session is SessionRecord =>
          session !== null && session.tenantId === tenantId && session.objectId === objectId,
      );
      return sessions.sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.idHash < b.idHash ? -1 : 1),
      );
    },

    async deleteExpired(now) {
      millisOf(now, "now");
      connection.client(); // a closed store rejects, as every store does
      // Redis removes each session when its TTL (its idle or absolute expiry) passes, and each
      // index with its last member: nothing is left here to sweep.
      return 0;
    },
  };
}
