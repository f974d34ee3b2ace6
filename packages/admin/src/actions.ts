import type { AuditEventType, Entrance, SessionRecord, UserRecord } from "@entrance/core";
import { count, nameOf, time } from "./format.js";
import { html, type Interpolation } from "./html.js";

/** Everything an action needs: the core, who is acted on, who acts, and from where. */
export interface ActionContext {
  readonly entrance: Entrance;
  readonly target: UserRecord;
  readonly actor: UserRecord;
  readonly ip: string | null;
  /** For `end-session`: the session to end, already checked to be the target's. */
  readonly session?: SessionRecord | undefined;
}

/** What an action did, for the notice on the page it returns to. */
export interface Outcome {
  readonly done: NoticeCode;
  readonly n?: number;
}

/** What an action's confirmation page says. */
export interface ConfirmationText {
  readonly title: string;
  readonly question: Interpolation;
  readonly effects: readonly Interpolation[];
  readonly button: string;
  readonly danger: boolean;
}

/** An administrator's action on a user: what its confirmation says and what it does. */
export interface UserAction {
  confirmation(context: ActionContext, sessions: readonly SessionRecord[]): ConfirmationText;
  perform(context: ActionContext): Promise<Outcome>;
}

const NOTICES = {
  "session-ended": () => "The session was ended: that browser is signed out at its next request.",
  "session-gone": () => "That session had already ended.",
  "sessions-ended": (n: number) =>
    n === 0
      ? "There was no session to end."
      : `Ended ${count(n, "session")}: signed out at the next request.`,
  "tokens-evicted": () =>
    "The user's tokens were evicted: the app cannot act for them until they sign in again.",
  "user-disabled": () =>
    "The user is disabled: their sessions were ended, their tokens evicted, and their next sign-in will be refused.",
  "user-enabled": () => "The user is enabled: they can sign in again.",
} satisfies Record<string, (n: number) => string>;

/** The notices an action's redirect can ask for: a fixed list, so a crafted link shows no text of its own. */
export type NoticeCode = keyof typeof NOTICES;

/** The notice for a `done` query value, or null for a value that is not one of ours. */
export function noticeFor(code: string | null, n: string | null): string | null {
  if (!code || !Object.hasOwn(NOTICES, code)) return null;
  const parsed = Number(n);
  return NOTICES[code as NoticeCode](Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : 0);
}

/** "Lee Gu (lee@contoso.onmicrosoft.com)": how the audit log names the user acted on. */
function label(user: UserRecord): string {
  const name = nameOf(user);
  return user.username && user.username !== name ? `${name} (${user.username})` : name;
}

async function record(context: ActionContext, type: AuditEventType, detail: string): Promise<void> {
  const { entrance, target, actor, ip } = context;
  await entrance.store.audit.append({
    at: new Date(),
    type,
    tenantId: target.tenantId,
    objectId: target.objectId,
    actor: { tenantId: actor.tenantId, objectId: actor.objectId, name: nameOf(actor) },
    detail: `${nameOf(actor)} ${detail}`.slice(0, 500),
    aadsts: null,
    ip,
  });
}

function partitionOf(user: UserRecord): string {
  return `${user.objectId}.${user.tenantId}`;
}

const endSession: UserAction = {
  confirmation({ target, session }) {
    return {
      title: "End this session?",
      question: html`End the session of <strong>${nameOf(target)}</strong> started ${time(session?.createdAt)}${session?.ip ? ` from ${session.ip}` : ""}?`,
      effects: [
        "That browser is signed out at its next request.",
        "Their other sessions and their tokens stay.",
      ],
      button: "End session",
      danger: true,
    };
  },
  async perform(context) {
    const { entrance, session } = context;
    if (!session) return { done: "session-gone" };
    await entrance.store.sessions.delete(session.idHash);
    entrance.forgetSession(session.idHash);
    await record(
      context,
      "session_ended",
      `ended a session of ${label(context.target)} (started ${session.createdAt.toISOString()}${session.ip ? ` from ${session.ip}` : ""})`,
    );
    return { done: "session-ended" };
  },
};

const endSessions: UserAction = {
  confirmation({ target }, sessions) {
    return {
      title: `End all sessions of ${nameOf(target)}?`,
      question: html`<strong>${nameOf(target)}</strong> is signed in with ${count(sessions.length, "session")}.`,
      effects: [
        "Every browser where they are signed in is signed out at its next request.",
        "Their stored tokens stay: evict them too to stop the app acting for them.",
      ],
      button: "End all sessions",
      danger: true,
    };
  },
  async perform(context) {
    const { entrance, target } = context;
    const ended = await entrance.store.sessions.deleteByUser(target.tenantId, target.objectId);
    entrance.forgetUser(target.tenantId, target.objectId);
    await record(
      context,
      "session_ended",
      `ended all sessions of ${label(target)} (${count(ended, "session")})`,
    );
    return { done: "sessions-ended", n: ended };
  },
};

const evictTokens: UserAction = {
  confirmation({ target }) {
    return {
      title: `Evict the tokens of ${nameOf(target)}?`,
      question: html`Delete the access and refresh tokens Entrance keeps for <strong>${nameOf(target)}</strong>?`,
      effects: [
        "The app can no longer call Microsoft Graph or other APIs for them until they sign in again.",
        "Their sessions stay: pages that need no token keep working.",
      ],
      button: "Evict tokens",
      danger: true,
    };
  },
  async perform(context) {
    await context.entrance.store.tokens.delete(partitionOf(context.target));
    await record(context, "tokens_evicted", `evicted the tokens of ${label(context.target)}`);
    return { done: "tokens-evicted" };
  },
};

const disable: UserAction = {
  confirmation({ target }, sessions) {
    return {
      title: `Disable ${nameOf(target)}?`,
      question: html`<strong>${nameOf(target)}</strong> will not be able to use this app until an administrator enables them again.`,
      effects: [
        sessions.length === 0
          ? "They are signed in nowhere now."
          : `${sessions.length === 1 ? "Their session ends" : `Their ${sessions.length} sessions end`} now: signed out at the next request.`,
        "Their tokens are evicted.",
        "Their next sign-in is refused with a page that says an administrator disabled their account.",
      ],
      button: "Disable user",
      danger: true,
    };
  },
  async perform(context) {
    const { entrance, target } = context;
    // Disabled first: a sign-in completing meanwhile is refused, so no new session slips in.
    await entrance.store.users.setDisabled(target.tenantId, target.objectId, true);
    const ended = await entrance.store.sessions.deleteByUser(target.tenantId, target.objectId);
    await entrance.store.tokens.delete(partitionOf(target));
    entrance.forgetUser(target.tenantId, target.objectId);
    await record(
      context,
      "user_disabled",
      `disabled ${label(target)}, ending ${count(ended, "session")} and evicting their tokens`,
    );
    return { done: "user-disabled" };
  },
};

const enable: UserAction = {
  confirmation({ target }) {
    return {
      title: `Enable ${nameOf(target)}?`,
      question: html`Let <strong>${nameOf(target)}</strong> sign in to this app again?`,
      effects: ["Their next sign-in is accepted as before."],
      button: "Enable user",
      danger: false,
    };
  },
  async perform(context) {
    const { entrance, target } = context;
    await entrance.store.users.setDisabled(target.tenantId, target.objectId, false);
    entrance.forgetUser(target.tenantId, target.objectId);
    await record(context, "user_enabled", `enabled ${label(target)}`);
    return { done: "user-enabled" };
  },
};

/** Every action, by the name its URL carries. */
export const ACTIONS = {
  "end-session": endSession,
  "end-sessions": endSessions,
  "evict-tokens": evictTokens,
  disable,
  enable,
} as const satisfies Record<string, UserAction>;

export type ActionName = keyof typeof ACTIONS;
