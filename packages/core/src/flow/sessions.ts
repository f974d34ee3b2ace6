import { createHash, randomBytes } from "node:crypto";
import type { EntranceConfig } from "../config/schema.js";
import { readSignedIn } from "../storage/signed-in.js";
import type { EntranceStore, SessionRecord, UserRecord } from "../storage/types.js";

/** A signed-in request's session and user. */
export interface SignedIn {
  readonly session: SessionRecord;
  readonly user: UserRecord;
}

/** Writes of last-seen are skipped when the previous one is this recent, to spare the store. */
const TOUCH_INTERVAL_MS = 60_000;
/** The most sessions kept in the in-process cache; the oldest entry makes room. */
const CACHE_ENTRIES = 10_000;
/** Expired entries dropped per insert, at most: a bounded step on the request's path. */
const EXPIRED_PER_INSERT = 4;

interface Cached {
  value: SignedIn;
  readonly until: number;
}

export function hashSessionId(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}

/**
 * Server-side sessions: opaque random ids for the browser, their hashes in the store. A resolved
 * session is kept in process for `session.cacheSeconds` so that a signed-in page does not read
 * its session and user from the store each time; ending a session here forgets it at once, and a
 * change made elsewhere (another instance, an administrator) is seen within that many seconds.
 */
export class Sessions {
  /**
   * Resolved sessions by the cookie's value, so that a hit costs no hash (the value is already in
   * this process, in the request); each entry knows its hash for the store and for forgetting.
   */
  readonly #cache = new Map<string, Cached>();

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

  /**
   * The answer `resolve` would give, when it can be given without waiting: null without a
   * cookie, the cached session when it is live and needs no write; undefined when the store must
   * be asked (then call `resolve`).
   */
  peek(id: string | undefined): SignedIn | null | undefined {
    if (!id) return null;
    const entry = this.#cache.get(id);
    const now = this.now();
    if (!entry || entry.until <= now) return undefined;
    const { session } = entry.value;
    if (session.idleExpiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now) {
      return undefined;
    }
    return now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS ? undefined : entry.value;
  }

  /** The live session and user for a cookie value, or null; ends sessions that are over. */
  async resolve(id: string | undefined): Promise<SignedIn | null> {
    if (!id) return null;
    const now = this.now();
    let entry = this.#cache.get(id);
    if (!entry || entry.until <= now) {
      this.#cache.delete(id);
      const loaded = await this.#load(hashSessionId(id));
      if (!loaded) return null;
      entry = this.#remember(id, loaded, now);
    }
    const { session } = entry.value;
    const idHash = session.idHash;
    if (session.idleExpiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now) {
      this.#cache.delete(id);
      await this.store.sessions.delete(idHash);
      return null;
    }
    if (now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      const idle = Math.min(
        now + this.config.session.idleTimeout * 1000,
        session.absoluteExpiresAt.getTime(),
      );
      await this.store.sessions.touch(idHash, new Date(now), new Date(idle));
      entry.value = {
        ...entry.value,
        session: { ...session, lastSeenAt: new Date(now), idleExpiresAt: new Date(idle) },
      };
    }
    return entry.value;
  }

  /** How many resolved sessions this process holds (for tests and the memory benchmark). */
  get cached(): number {
    return this.#cache.size;
  }

  /** Forgets one cached session, after it was ended in the store. */
  forgetSession(idHash: string): void {
    for (const [id, entry] of this.#cache) {
      if (entry.value.session.idHash === idHash) this.#cache.delete(id);
    }
  }

  /** Forgets cached sessions of a user, after their sessions were ended or changed in the store. */
  forgetUser(tenantId: string, objectId: string): void {
    for (const [id, entry] of this.#cache) {
      const { session } = entry.value;
      if (session.tenantId === tenantId && session.objectId === objectId) this.#cache.delete(id);
    }
  }

  async #load(idHash: string): Promise<SignedIn | null> {
    const found = await readSignedIn(this.store, idHash);
    if (!found) return null;
    const { session, user } = found;
    if (!user || user.disabled) {
      await this.store.sessions.delete(idHash);
      return null;
    }
    return { session, user };
  }

  #remember(id: string, value: SignedIn, now: number): Cached {
    const entry = { value, until: now + this.config.session.cacheSeconds * 1000 };
    if (this.config.session.cacheSeconds === 0) return entry;
    // Entries go in expiry order (one lifetime for all): drop the expired ones at the front, a
    // few per insert, so that sessions not seen again do not stay until the cache is full.
    let dropped = 0;
    for (const [oldest, cached] of this.#cache) {
      if (cached.until > now || dropped === EXPIRED_PER_INSERT) break;
      this.#cache.delete(oldest);
      dropped++;
    }
    if (this.#cache.size >= CACHE_ENTRIES) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(id, entry);
    return entry;
  }

  async end(id: string | undefined): Promise<SessionRecord | null> {
    if (!id) return null;
    const idHash = hashSessionId(id);
    this.#cache.delete(id);
    const session = await this.store.sessions.get(idHash);
    await this.store.sessions.delete(idHash);
    return session;
  }
}
