import type { Actor, Entrance, SessionRecord, UserRecord } from "@entrance/core";
import { html, type Interpolation } from "@entrance/core";
import { count, nameOf, time } from "./format.js";

/** Everything an action needs: the core, who is acted on, and who acts from where. */
export interface ActionContext {
  readonly entrance: Entrance;
  readonly target: UserRecord;
  readonly actor: Actor;
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
  async perform({ entrance, target, session, actor }) {
    if (!session) return { done: "session-gone" };
    await entrance.users.endSession(target, session, actor);
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
  async perform({ entrance, target, actor }) {
    return { done: "sessions-ended", n: await entrance.users.endSessions(target, actor) };
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
  async perform({ entrance, target, actor }) {
    await entrance.users.evictTokens(target, actor);
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
  async perform({ entrance, target, actor }) {
    await entrance.users.disable(target, actor);
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
  async perform({ entrance, target, actor }) {
    await entrance.users.enable(target, actor);
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
