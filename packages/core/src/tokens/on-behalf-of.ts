/**
 * On-behalf-of: a web API that received a user's access token gets a token for a downstream API
 * (Graph, another API) as the same user. MSAL does the grant and keys its cached answers by a hash
 * of the incoming token; Entrance keeps that cache per user, encrypted in the token store like the
 * web app's partitions (under `obo:{oid}.{tid}`, apart from the user's sign-in tokens, evicted
 * with them), and asks Entra once per (user, scopes, incoming token) however many requests, or
 * instances sharing the store, want it at once.
 */
import { createHash } from "node:crypto";
import type { AuthenticationResult, ConfidentialClientApplication } from "@azure/msal-node";
import type { Caller } from "../bearer/caller.js";
import { firstLine } from "../errors/describe.js";
import { aadstsOf, EntranceError, findEntranceError } from "../errors/entrance-error.js";
import { isProviderUnavailable } from "../errors/provider-failure.js";
import type { EntranceStore } from "../storage/types.js";
import type { AccessToken, AcquireOptions } from "./acquire.js";
import { type CachedAccessToken, cachedAccessToken } from "./cache-hit.js";
import { PartitionCipher } from "./encryption.js";
import { oboPartitionOf } from "./partitions.js";

/** How long a grant may hold a user's lock, and how long another instance waits for it. */
const LOCK_TTL_S = 30;
const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 50;

/** Downstream tokens for bearer callers, cached per user in the store. */
export class OnBehalfOf {
  readonly #cipher: PartitionCipher;
  readonly #inFlight = new Map<string, Promise<AccessToken>>();
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly clientId: string,
    private readonly store: EntranceStore,
    secrets: readonly string[],
    /** An MSAL client on the caller's tenant, holding `cache`. */
    private readonly clientFor: (
      tenantId: string,
      cache?: string,
    ) => Promise<ConfidentialClientApplication>,
  ) {
    this.#cipher = new PartitionCipher(secrets);
  }

  /**
   * A token for `scopes` as the user who sent `assertion` (the bearer token `caller` was validated
   * from). Throws `on_behalf_of_needs_user` for an app-only caller, and
   * `downstream_interaction_required` when Entra needs the user (consent, a claims challenge).
   *
   * A hit — a fresh token for these scopes got with this same incoming token — costs one store
   * read and a decryption, with no MSAL client and no lock. A miss goes through MSAL once per
   * user at a time in this process and, with a shared lock store, under the user's lock, so that
   * instances sharing the store make one grant and the others find its answer.
   */
  async get(
    caller: Caller,
    assertion: string,
    scopes: readonly string[],
    options: AcquireOptions = {},
  ): Promise<AccessToken> {
    if (caller.kind !== "user") {
      throw new EntranceError(
        "on_behalf_of_needs_user",
        "On-behalf-of needs a user's token; this caller is an application (an app-only token).",
      );
    }
    const partition = oboPartitionOf(caller.tenantId, caller.objectId);
    // MSAL's key for answers got with this incoming token: base64url SHA-256 of it.
    const assertionHash = createHash("sha256").update(assertion).digest("base64url");
    if (!options.claims && !options.forceRefresh) {
      const hit = this.#hit(caller, await this.#load(partition), assertionHash, scopes);
      if (hit) return hit;
    }
    const key = JSON.stringify([
      partition,
      [...scopes].sort(),
      assertionHash,
      options.claims ?? null,
      Boolean(options.forceRefresh),
    ]);
    const running = this.#inFlight.get(key);
    if (running) return running;
    const promise = this.#oneAtATime(partition, () =>
      this.#underLock(partition, () =>
        this.#acquire(caller, partition, assertion, scopes, options),
      ),
    ).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  /** A fresh cached token for `scopes` got with the incoming token of `assertionHash`, or null. */
  #hit(
    caller: Caller,
    loaded: { cache: string | null },
    assertionHash: string,
    scopes: readonly string[],
  ): AccessToken | null {
    if (!loaded.cache) return null;
    let entries: CachedAccessToken[];
    try {
      const parsed = JSON.parse(loaded.cache) as {
        AccessToken?: Record<string, CachedAccessToken & { userAssertionHash?: unknown }>;
      };
      entries = Object.values(parsed.AccessToken ?? {}).filter(
        (entry) => entry?.userAssertionHash === assertionHash,
      );
    } catch {
      return null;
    }
    return cachedAccessToken(entries, caller, this.clientId, scopes);
  }

  /**
   * Runs `task` holding the partition's lock when the store has locks; waits for another holder
   * at most {@link LOCK_WAIT_MS}, then runs anyway rather than fail (one grant too many at worst).
   */
  async #underLock<T>(partition: string, task: () => Promise<T>): Promise<T> {
    const locks = this.store.locks;
    if (!locks) return task();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const release = await locks.acquire(`entrance:tokens:${partition}`, LOCK_TTL_S);
      if (release) {
        try {
          return await task();
        } finally {
          await release();
        }
      }
      if (Date.now() >= deadline) return task();
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  /** Runs `task` after every earlier task of the same partition has settled (no lost update). */
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

  async #acquire(
    caller: Caller,
    partition: string,
    assertion: string,
    scopes: readonly string[],
    options: AcquireOptions,
  ): Promise<AccessToken> {
    const { cache, stale } = await this.#load(partition);
    const client = await this.clientFor(caller.tenantId, cache ?? undefined);
    let result: AuthenticationResult | null;
    try {
      result = await client.acquireTokenOnBehalfOf({
        oboAssertion: assertion,
        scopes: [...scopes],
        ...(options.claims ? { claims: options.claims } : {}),
        ...(options.forceRefresh ? { skipCache: true } : {}),
      });
    } catch (error) {
      throw explain(error, scopes);
    }
    if (!result) throw new EntranceError("token_request_failed", "Entra gave no token.");
    const after = client.getTokenCache().serialize();
    if (after !== cache || stale) {
      await this.store.tokens.put(
        partition,
        this.#cipher.encrypt(partition, Buffer.from(after, "utf8")),
      );
    }
    return { token: result.accessToken, expiresOn: result.expiresOn, scopes: result.scopes };
  }

  /**
   * The user's cache, or null when there is none or it cannot be decrypted (then a new grant);
   * `stale` when it was encrypted under an older secret, to be rewritten under the newest.
   */
  async #load(partition: string): Promise<{ cache: string | null; stale: boolean }> {
    const blob = await this.store.tokens.get(partition);
    const opened = blob && this.#cipher.decrypt(partition, blob);
    if (!opened) return { cache: null, stale: false };
    return { cache: opened.plaintext.toString("utf8"), stale: opened.stale };
  }
}

/**
 * Entra's refusal as an EntranceError: what needs the user (consent, MFA, a claims challenge) is
 * `downstream_interaction_required`, carrying the claims for the API's caller to step up with.
 */
export function explain(error: unknown, scopes: readonly string[]): EntranceError {
  const known = findEntranceError(error);
  if (known) return known;
  const msal = error as {
    errorCode?: string;
    errorMessage?: string;
    name?: string;
    claims?: string;
  };
  const text = msal.errorMessage ?? (error as Error).message;
  const message = firstLine(text, 300);
  const aadsts = aadstsOf(text);
  // Entra failing or out of reach: "try again soon", as for the user's own refresh.
  if (isProviderUnavailable(msal.errorCode)) {
    return new EntranceError(
      "identity_provider_unavailable",
      `Getting an access token failed: ${message} Microsoft Entra ID is unavailable for now: please try again in a minute.`,
      { cause: error, aadsts },
    );
  }
  const interactive =
    msal.name === "InteractionRequiredAuthError" ||
    ["interaction_required", "consent_required", "login_required"].includes(msal.errorCode ?? "");
  if (interactive) {
    return new EntranceError(
      "downstream_interaction_required",
      `Entra needs the user for the downstream token: ${message}`,
      {
        cause: error,
        aadsts,
        interaction: { scopes: [...scopes], claims: msal.claims || undefined },
      },
    );
  }
  return new EntranceError(
    "token_request_failed",
    `Getting a downstream access token failed: ${message}`,
    { cause: error, aadsts },
  );
}
