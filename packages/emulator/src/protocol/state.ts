import { createHash } from "node:crypto";
import type { Clock } from "../clock.js";
import { newGuid, opaque } from "../ids.js";
import type { Lifetimes } from "../settings.js";

/** An authorization request waiting for the person to pick a user or grant consent. */
export interface PendingAuthorization {
  readonly id: string;
  readonly authority: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly responseMode: "query" | "fragment" | "form_post";
  /** Scopes as requested, normalized (Graph scopes bare, API scopes `api://{id}/name`). */
  readonly scopes: readonly string[];
  readonly state: string | undefined;
  readonly nonce: string | undefined;
  readonly prompt: string | undefined;
  readonly loginHint: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: "S256" | "plain" | undefined;
  /** The decoded `claims` request parameter, if any. */
  readonly claims: string | undefined;
  readonly expiresAt: number;
  /** Set once a user has been chosen; consent may still be pending. */
  userId?: string;
}

/** An issued authorization code and what it was issued for. */
export interface AuthorizationCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly userId: string;
  readonly tenantId: string;
  readonly scopes: readonly string[];
  readonly nonce: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: "S256" | "plain" | undefined;
  readonly claims: string | undefined;
  readonly sid: string;
  readonly authTime: number;
  readonly expiresAt: number;
  /** For a code of an Azure AD B2C policy: which one, and whether the user just signed up. */
  readonly b2c?: { readonly policy: string; readonly newUser: boolean };
  redeemed: boolean;
}

export interface RefreshGrant {
  readonly clientId: string;
  readonly userId: string;
  readonly tenantId: string;
  readonly sid: string;
  readonly authTime: number;
  readonly capabilities: readonly string[];
  lastUsedAt: number;
  revoked: boolean;
}

/** The emulator's browser session (its SSO cookie). */
export interface SsoSession {
  readonly userId: string;
  readonly tenantId: string;
  /** The Entra session id (`sid` claim) shared by the apps signed in through this session. */
  readonly sid: string;
  readonly authTime: number;
  readonly expiresAt: number;
  /** Client ids of the apps signed in through this session, for front-channel logout. */
  readonly apps: Set<string>;
}

const hash = (value: string) => createHash("sha256").update(value).digest("base64url");

/**
 * What the protocol remembers between requests. Codes, refresh tokens and session cookies are kept
 * by their SHA-256 only. Everything is in memory: a restart forgets it, as a fresh tenant session.
 */
export class ProtocolState {
  readonly #pending = new Map<string, PendingAuthorization>();
  readonly #codes = new Map<string, AuthorizationCode>();
  readonly #refresh = new Map<string, RefreshGrant>();
  readonly #sessions = new Map<string, SsoSession>();
  /** Scopes each user granted to each app: key `${userId} ${clientId}`. */
  readonly #consents = new Map<string, Set<string>>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimes: () => Lifetimes,
  ) {}

  addPending(request: Omit<PendingAuthorization, "id" | "expiresAt">): PendingAuthorization {
    this.#sweep();
    const pending = { ...request, id: opaque(), expiresAt: this.clock.now() + 15 * 60_000 };
    this.#pending.set(pending.id, pending);
    return pending;
  }

  pending(id: string): PendingAuthorization | undefined {
    const found = this.#pending.get(id);
    return found && found.expiresAt > this.clock.now() ? found : undefined;
  }

  finishPending(id: string): void {
    this.#pending.delete(id);
  }

  issueCode(grant: Omit<AuthorizationCode, "expiresAt" | "redeemed">): string {
    const code = `1.${opaque(48)}`;
    this.#codes.set(hash(code), {
      ...grant,
      expiresAt: this.clock.now() + this.lifetimes().authorizationCode * 1000,
      redeemed: false,
    });
    return code;
  }

  code(code: string): AuthorizationCode | undefined {
    return this.#codes.get(hash(code));
  }

  issueRefreshToken(grant: Omit<RefreshGrant, "lastUsedAt" | "revoked">): string {
    const token = `1.${opaque(64)}`;
    this.#refresh.set(hash(token), { ...grant, lastUsedAt: this.clock.now(), revoked: false });
    return token;
  }

  refreshGrant(token: string): RefreshGrant | undefined {
    return this.#refresh.get(hash(token));
  }

  /** Whether a refresh grant has gone unused for longer than the inactivity lifetime. */
  isInactive(grant: RefreshGrant): boolean {
    return this.clock.now() - grant.lastUsedAt > this.lifetimes().refreshTokenInactivity * 1000;
  }

  /** Revokes every refresh token of a user and ends their browser sessions. Returns the count. */
  revokeUser(userId: string): number {
    let revoked = 0;
    for (const grant of this.#refresh.values()) {
      if (grant.userId === userId && !grant.revoked) {
        grant.revoked = true;
        revoked++;
      }
    }
    for (const [key, session] of this.#sessions) {
      if (session.userId === userId) this.#sessions.delete(key);
    }
    return revoked;
  }

  /** Starts a browser session; returns the cookie value. */
  startSession(userId: string, tenantId: string): { cookie: string; session: SsoSession } {
    const cookie = opaque();
    const now = this.clock.now();
    const session: SsoSession = {
      userId,
      tenantId,
      sid: newGuid(),
      authTime: Math.floor(now / 1000),
      expiresAt: now + this.lifetimes().ssoSession * 1000,
      apps: new Set(),
    };
    this.#sessions.set(hash(cookie), session);
    return { cookie, session };
  }

  session(cookie: string | undefined): SsoSession | undefined {
    if (!cookie) return undefined;
    const session = this.#sessions.get(hash(cookie));
    if (session && session.expiresAt <= this.clock.now()) {
      this.#sessions.delete(hash(cookie));
      return undefined;
    }
    return session;
  }

  endSession(cookie: string): SsoSession | undefined {
    const session = this.session(cookie);
    this.#sessions.delete(hash(cookie));
    return session;
  }

  granted(userId: string, clientId: string): ReadonlySet<string> {
    return this.#consents.get(`${userId} ${clientId}`) ?? new Set();
  }

  grant(userId: string, clientId: string, scopes: Iterable<string>): void {
    const key = `${userId} ${clientId}`;
    const set = this.#consents.get(key) ?? new Set<string>();
    for (const scope of scopes) set.add(scope);
    this.#consents.set(key, set);
  }

  /** Drops expired pending requests and codes so that memory does not grow without bound. */
  #sweep(): void {
    const now = this.clock.now();
    for (const [id, pending] of this.#pending)
      if (pending.expiresAt <= now) this.#pending.delete(id);
    for (const [key, code] of this.#codes) {
      if (code.expiresAt + 3600_000 <= now) this.#codes.delete(key);
    }
  }
}
