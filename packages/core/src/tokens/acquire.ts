import type { AuthenticationResult, ConfidentialClientApplication } from "@azure/msal-node";
import { firstLine } from "../errors/describe.js";
import { aadstsOf, EntranceError, findEntranceError } from "../errors/entrance-error.js";
import { isProviderUnavailable } from "../errors/provider-failure.js";
import type { Logger } from "../log/logger.js";
import type { LockStore } from "../storage/types.js";
import { inSpan, instruments, SpanKind } from "../telemetry/otel.js";
import { isB2cAccountOf } from "./b2c.js";
import { cachedAccessToken } from "./cache-hit.js";
import type { TokenPartitions } from "./partitions.js";

/** An access token for the signed-in user. Use it; never log it, store it or put it in a page. */
export interface AccessToken {
  readonly token: string;
  readonly expiresOn: Date | null;
  /** The scopes Entra granted, which may be more than asked. */
  readonly scopes: readonly string[];
}

export interface AcquireOptions {
  /** A claims request from a continuous access evaluation challenge (JSON). */
  readonly claims?: string | undefined;
  readonly forceRefresh?: boolean | undefined;
}

export interface UserKey {
  readonly tenantId: string;
  readonly objectId: string;
}

/** How long a refresh may hold a user's lock, and how long another instance waits for it. */
const LOCK_TTL_S = 30;
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 50;

/** AADSTS codes that mean the refresh token is dead: evict it, the user signs in again. */
const DEAD_GRANT = new Set([50173, 70000, 70008, 700082, 700084, 50057, 50034, 50020]);

/**
 * Access tokens from each user's own partition. A valid cached token answers at once; an expired
 * one is refreshed with the refresh token once, however many requests of that user ask at the same
 * moment (identical requests share one promise, and a user's partition is read, refreshed and
 * written by one operation at a time in this process).
 */
export class TokenAcquirer {
  readonly #inFlight = new Map<string, Promise<AccessToken>>();
  readonly #queues = new Map<string, Promise<unknown>>();

  /**
   * @param onDeadGrant - called after a refresh token Entra rejected for good was evicted: the
   *   core ends the user's sessions there, since a revoked or disabled account must not stay
   *   signed in to the app.
   */
  constructor(
    private readonly clientId: string,
    private readonly clientFor: (cache: string) => Promise<ConfidentialClientApplication>,
    private readonly partitions: TokenPartitions,
    private readonly locks?: LockStore,
    private readonly onDeadGrant: (user: UserKey, aadsts: number) => Promise<void> = async () => {},
    private readonly logger?: Logger,
  ) {}

  /**
   * A hit — a fresh token for the scopes in the user's partition — costs one store read, one
   * decryption and the parse of the partition's access-token index, with no MSAL client, queue or lock; everything else goes through
   * MSAL once per user at a time.
   */
  get(
    user: UserKey,
    scopes: readonly string[],
    options: AcquireOptions = {},
  ): Promise<AccessToken> {
    // A span per acquisition, since even a hit reads the store: `entrance.token.outcome` says
    // which way it went (hit, refresh, or a wait for another request's refresh). The scopes and
    // the user stay out of it.
    return inSpan("entrance.token.acquire", SpanKind.INTERNAL, undefined, async (span) => {
      if (!options.claims && !options.forceRefresh) {
        const entries = await this.partitions.accessTokens(user.tenantId, user.objectId);
        const hit = entries && cachedAccessToken(entries, user, this.clientId, scopes);
        if (hit) {
          instruments().tokenCacheHits.add(1);
          span.setAttribute("entrance.token.outcome", "hit");
          return hit;
        }
      }
      instruments().tokenCacheMisses.add(1);
      const { promise, waited } = this.#miss(user, scopes, options);
      span.setAttribute("entrance.token.outcome", waited ? "wait" : "refresh");
      return promise;
    });
  }

  #miss(
    user: UserKey,
    scopes: readonly string[],
    options: AcquireOptions,
  ): { promise: Promise<AccessToken>; waited: boolean } {
    const key = JSON.stringify([
      user.tenantId,
      user.objectId,
      [...scopes].sort(),
      options.claims ?? null,
      Boolean(options.forceRefresh),
    ]);
    const running = this.#inFlight.get(key);
    if (running) return { promise: running, waited: true };
    const promise = this.#oneAtATime(`${user.objectId}.${user.tenantId}`, () =>
      this.#acrossInstances(user, scopes, options),
    ).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return { promise, waited: false };
  }

  /** Runs `task` after every earlier task of the same partition has settled. */
  #oneAtATime<T>(partition: string, task: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(partition) ?? Promise.resolve();
    const run = before.then(task, task);
    const settled = run.catch(() => {});
    this.#queues.set(partition, settled);
    void settled.then(() => {
      if (this.#queues.get(partition) === settled) this.#queues.delete(partition);
    });
    return run;
  }

  /**
   * With a shared lock store, a token that needs a refresh is acquired under the user's lock, so
   * that one instance refreshes and the others then find the new token. A valid cached token
   * needs no lock.
   */
  async #acrossInstances(
    user: UserKey,
    scopes: readonly string[],
    options: AcquireOptions,
  ): Promise<AccessToken> {
    if (!this.locks) return this.#acquire(user, scopes, options);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      if (!options.claims && !options.forceRefresh) {
        // Another instance may have refreshed it while this one waited for the lock.
        const entries = await this.partitions.accessTokens(user.tenantId, user.objectId);
        const hit = entries && cachedAccessToken(entries, user, this.clientId, scopes);
        if (hit) return hit;
      }
      const key = `entrance:tokens:${user.objectId}.${user.tenantId}`;
      const release = await this.locks.acquire(key, LOCK_TTL_S);
      if (release) {
        try {
          return await this.#acquire(user, scopes, options);
        } finally {
          await release();
        }
      }
      // Another instance holds the lock past our patience: refresh anyway rather than fail.
      if (Date.now() >= deadline) return this.#acquire(user, scopes, options);
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  async #acquire(
    user: UserKey,
    scopes: readonly string[],
    options: AcquireOptions,
  ): Promise<AccessToken> {
    const cache = await this.partitions.load(user.tenantId, user.objectId);
    if (!cache)
      throw reauthentication(
        "There are no stored tokens for this user (or they could not be read).",
      );
    const client = await this.clientFor(cache);
    const tokenCache = client.getTokenCache();
    // Entra ID's account id, else B2C's (`{oid}-{policy}.{tid}`): the user's own partition either way.
    const account =
      (await tokenCache.getAccountByHomeId(`${user.objectId}.${user.tenantId}`)) ??
      (await tokenCache.getAllAccounts()).find((a) => isB2cAccountOf(a.homeAccountId, user)) ??
      null;
    if (!account) {
      await this.partitions.evict(user.tenantId, user.objectId);
      throw reauthentication("The stored tokens do not belong to this user.");
    }
    let result: AuthenticationResult;
    try {
      result = await client.acquireTokenSilent({
        account,
        scopes: [...scopes],
        ...(options.claims ? { claims: options.claims } : {}),
        ...(options.forceRefresh ? { forceRefresh: true } : {}),
      });
    } catch (error) {
      throw await this.#explain(error, user, scopes, options);
    }
    // From Entra, not MSAL's copy: a refresh token was spent.
    if (!result.fromCache) {
      instruments().tokenRefreshes.add(1);
      this.logger?.debug?.(
        { event: "token_refreshed", tenantId: user.tenantId, objectId: user.objectId },
        "entrance: refreshed an access token",
      );
    }
    const after = client.getTokenCache().serialize();
    if (after !== cache) await this.partitions.save(user.tenantId, user.objectId, after);
    return { token: result.accessToken, expiresOn: result.expiresOn, scopes: result.scopes };
  }

  async #explain(
    error: unknown,
    user: UserKey,
    scopes: readonly string[],
    options: AcquireOptions,
  ): Promise<EntranceError> {
    if (error instanceof EntranceError) return error;
    const msal = error as {
      errorCode?: string;
      subError?: string;
      errorMessage?: string;
      name?: string;
    };
    const message = firstLine(msal.errorMessage ?? (error as Error).message, 300);
    const aadsts = aadstsOf(msal.errorMessage ?? (error as Error).message);
    const unavailable = findEntranceError(error);
    if (unavailable) return unavailable;
    // Entra failing (5xx, server_error, temporarily_unavailable) or out of reach (a dropped
    // connection or an unusable answer, which MSAL reports as network_error): the same answer as
    // at the callback, "try again soon"; the refresh token stays, since Entra did not refuse it.
    if (isProviderUnavailable(msal.errorCode)) {
      return new EntranceError(
        "identity_provider_unavailable",
        `Refreshing the access token failed: ${message} Microsoft Entra ID is unavailable for now: please try again in a minute.`,
        { cause: error, aadsts },
      );
    }
    if (aadsts !== undefined && DEAD_GRANT.has(aadsts)) {
      await this.partitions.evict(user.tenantId, user.objectId);
      await this.onDeadGrant(user, aadsts);
      return reauthentication(
        `Entra no longer accepts this user's refresh token: ${message}`,
        aadsts,
        error,
      );
    }
    const interactive =
      msal.name === "InteractionRequiredAuthError" ||
      ["interaction_required", "consent_required", "login_required", "invalid_grant"].includes(
        msal.errorCode ?? "",
      );
    if (interactive) {
      return new EntranceError("interaction_required", `Entra needs the user: ${message}`, {
        cause: error,
        aadsts,
        interaction: { scopes: [...scopes], claims: options.claims },
      });
    }
    return new EntranceError("token_request_failed", `Getting an access token failed: ${message}`, {
      cause: error,
      aadsts,
    });
  }
}

function reauthentication(message: string, aadsts?: number, cause?: unknown): EntranceError {
  return new EntranceError("reauthentication_required", message, { aadsts, cause });
}
