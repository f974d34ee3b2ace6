/**
 * What administrators do to users — end one session or all, evict tokens, disable, enable — each
 * in one call that writes the store, forgets this instance's cached sessions and records the
 * audit event naming who did it. Nothing outside core re-derives a token partition or calls
 * `forget*`.
 */
import type { Runtime } from "./runtime.js";
import type { AuditEventType, SessionRecord, UserRecord } from "./storage/types.js";

/** Who acts, and from where: recorded with every action. */
export interface Actor {
  readonly user: UserRecord;
  readonly ip: string | null;
}

/** A user's name for people: display name, else username, else the object id. */
function nameOf(user: UserRecord): string {
  return user.displayName || user.username || user.objectId;
}

/** "Lee Gu (lee@contoso.onmicrosoft.com)": how the audit log names the user acted on. */
function label(user: UserRecord): string {
  const name = nameOf(user);
  return user.username && user.username !== name ? `${name} (${user.username})` : name;
}

function sessions(n: number): string {
  return `${n} ${n === 1 ? "session" : "sessions"}`;
}

export class UserAdministration {
  constructor(private readonly rt: Runtime) {}

  /** Ends one session of `target` (already checked to be theirs): signed out at its next request. */
  async endSession(target: UserRecord, session: SessionRecord, actor: Actor): Promise<void> {
    await this.rt.store.sessions.delete(session.idHash);
    this.rt.sessions.forgetSession(session.idHash);
    await this.#record(
      actor,
      target,
      "session_ended",
      `ended a session of ${label(target)} (started ${session.createdAt.toISOString()}${session.ip ? ` from ${session.ip}` : ""})`,
    );
  }

  /** Ends every session of `target`; returns how many. Their tokens stay. */
  async endSessions(target: UserRecord, actor: Actor): Promise<number> {
    const ended = await this.rt.store.sessions.deleteByUser(target.tenantId, target.objectId);
    this.rt.sessions.forgetUser(target.tenantId, target.objectId);
    await this.#record(
      actor,
      target,
      "session_ended",
      `ended all sessions of ${label(target)} (${sessions(ended)})`,
    );
    return ended;
  }

  /** Deletes `target`'s tokens: the app cannot act for them until they sign in again. */
  async evictTokens(target: UserRecord, actor: Actor): Promise<void> {
    await this.rt.tokens.evict(target.tenantId, target.objectId);
    await this.#record(actor, target, "tokens_evicted", `evicted the tokens of ${label(target)}`);
  }

  /** Disables `target`: their sessions end, their tokens go, their next sign-in is refused. */
  async disable(target: UserRecord, actor: Actor): Promise<number> {
    const { store } = this.rt;
    // Disabled first: a sign-in completing meanwhile is refused, so no new session slips in.
    await store.users.setDisabled(target.tenantId, target.objectId, true);
    const ended = await store.sessions.deleteByUser(target.tenantId, target.objectId);
    await this.rt.tokens.evict(target.tenantId, target.objectId);
    this.rt.sessions.forgetUser(target.tenantId, target.objectId);
    await this.#record(
      actor,
      target,
      "user_disabled",
      `disabled ${label(target)}, ending ${sessions(ended)} and evicting their tokens`,
    );
    return ended;
  }

  /** Lets `target` sign in again. */
  async enable(target: UserRecord, actor: Actor): Promise<void> {
    await this.rt.store.users.setDisabled(target.tenantId, target.objectId, false);
    this.rt.sessions.forgetUser(target.tenantId, target.objectId);
    await this.#record(actor, target, "user_enabled", `enabled ${label(target)}`);
  }

  async #record(
    actor: Actor,
    target: UserRecord,
    type: AuditEventType,
    detail: string,
  ): Promise<void> {
    const name = nameOf(actor.user);
    await this.rt.store.audit.append({
      at: new Date(),
      type,
      tenantId: target.tenantId,
      objectId: target.objectId,
      actor: { tenantId: actor.user.tenantId, objectId: actor.user.objectId, name },
      detail: `${name} ${detail}`.slice(0, 500),
      aadsts: null,
      ip: actor.ip,
    });
  }
}
