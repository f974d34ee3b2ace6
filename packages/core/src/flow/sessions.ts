import { createHash, randomBytes } from "node:crypto";
import type { EntranceConfig } from "../config/schema.js";
import type { EntranceStore, SessionRecord, UserRecord } from "../storage/types.js";

/** A signed-in request's session and user. */
export interface SignedIn {
  readonly session: SessionRecord;
  readonly user: UserRecord;
}

/** Writes of last-seen are skipped when the previous one is this recent, to spare the store. */
const TOUCH_INTERVAL_MS = 60_000;

export function hashSessionId(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}

/** Server-side sessions: opaque random ids for the browser, their hashes in the store. */
export class Sessions {
  constructor(
    private readonly config: EntranceConfig,
    private readonly store: EntranceStore,
    private readonly now: () => number,
  ) {}

  /** Starts a session; returns the id for the cookie (shown nowhere else). */
  async start(
    user: UserRecord,
    sid: string | null,
    client: { ip: string | null; userAgent: string | null },
  ) {
    const id = randomBytes(32).toString("base64url");
    const now = this.now();
    await this.store.sessions.create({
      idHash: hashSessionId(id),
      tenantId: user.tenantId,
      objectId: user.objectId,
      sid,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      idleExpiresAt: new Date(now + this.config.session.idleTimeout * 1000),
      absoluteExpiresAt: new Date(now + this.config.session.absoluteTimeout * 1000),
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
    });
    return id;
  }

  /** The live session and user for a cookie value, or null; ends sessions that are over. */
  async resolve(id: string | undefined): Promise<SignedIn | null> {
    if (!id) return null;
    const idHash = hashSessionId(id);
    const session = await this.store.sessions.get(idHash);
    if (!session) return null;
    const now = this.now();
    if (session.idleExpiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now) {
      await this.store.sessions.delete(idHash);
      return null;
    }
    const user = await this.store.users.get(session.tenantId, session.objectId);
    if (!user || user.disabled) {
      await this.store.sessions.delete(idHash);
      return null;
    }
    if (now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      const idle = Math.min(
        now + this.config.session.idleTimeout * 1000,
        session.absoluteExpiresAt.getTime(),
      );
      await this.store.sessions.touch(idHash, new Date(now), new Date(idle));
    }
    return { session, user };
  }

  async end(id: string | undefined): Promise<SessionRecord | null> {
    if (!id) return null;
    const idHash = hashSessionId(id);
    const session = await this.store.sessions.get(idHash);
    await this.store.sessions.delete(idHash);
    return session;
  }
}
