import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { EntranceError } from "../errors/entrance-error.js";
import type { NetworkClient } from "../http/network.js";

/** The parts of the OpenID Provider metadata Entrance uses. */
export interface ProviderMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly end_session_endpoint?: string;
  readonly jwks_uri: string;
}

/** One answer of the JWKS endpoint: the set as published, and jose's view of it for ID tokens. */
export interface LoadedKeys {
  readonly set: JSONWebKeySet;
  readonly getKey: JWTVerifyGetKey;
  /** Whether this call fetched the set (rather than answering from the one already held). */
  readonly refreshed: boolean;
}

interface LoadedDocument {
  readonly value: ProviderMetadata;
  readonly raw: string;
  readonly fetchedAt: number;
}

/** How often a failed background read of the document is tried again, at most. */
const WARM_RETRY_MS = 30_000;
const METADATA_TTL_MS = 24 * 3600_000;
/**
 * How long a key set is used before it is read again in the background (at most; the answer's
 * max-age can shorten it): a key Entra stops publishing (retired, or withdrawn after a
 * compromise) stops counting within a day, even when no unknown key id ever asks for a new set.
 */
const KEYS_TTL_MS = 24 * 3600_000;
/** The least lifetime a JWKS answer's `Cache-Control: max-age` can set (shorter is not obeyed). */
const KEYS_MIN_TTL_MS = 5 * 60_000;
/** The least time between two JWKS fetches caused by unknown key ids. */
const JWKS_REFETCH_COOLDOWN_MS = 30_000;

/**
 * The authority's discovery document and signing keys, fetched once and kept: a day for the
 * document, until an unknown key id for the keys (with a cooldown, so a flood of forged tokens
 * cannot make us hammer the provider).
 */
export class Metadata {
  #document: LoadedDocument | undefined;
  #keys: Omit<LoadedKeys, "refreshed"> | undefined;
  #keysPending: Promise<LoadedKeys> | undefined;
  #keysFetchedAt = Number.NEGATIVE_INFINITY;
  /** How long the held key set is used before it is read again: a day, or the answer's max-age. */
  #keysTtl = KEYS_TTL_MS;
  #keysRenewedAt = Number.NEGATIVE_INFINITY;
  /** When an unknown key id last made us fetch the keys again. */
  #lastRefetchAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<unknown> | undefined;
  #lastWarmAt = Number.NEGATIVE_INFINITY;
  #unavailableUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly authority: string,
    private readonly network: NetworkClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The discovery document if it was read already (however long ago), without waiting. */
  cached(): ProviderMetadata | undefined {
    return this.#document?.value;
  }

  /**
   * Starts reading the document in the background, so that what needs it without waiting (the
   * pages' form targets) soon has it; a failure is ignored here and retried at most every 30 s.
   */
  warm(): void {
    if (this.#document || this.now() - this.#lastWarmAt < WARM_RETRY_MS) return;
    this.#lastWarmAt = this.now();
    this.#loadDocument().catch(() => {});
  }

  /**
   * The discovery document, or undefined when it cannot be had within `ms` (the read goes on in
   * the background): for what should not hang on a slow Entra. After one such miss, further
   * calls do not wait at all for 30 s.
   */
  async documentWithin(ms: number): Promise<ProviderMetadata | undefined> {
    const cached = this.#document?.value;
    if (cached) return cached;
    if (this.now() < this.#unavailableUntil) {
      this.warm();
      return undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, ms, undefined);
    });
    try {
      const document = await Promise.race([this.document().catch(() => undefined), timeout]);
      if (!document) this.#unavailableUntil = this.now() + WARM_RETRY_MS;
      return document;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The discovery document. */
  async document(): Promise<ProviderMetadata> {
    return (await this.#loadDocument()).value;
  }

  /** The discovery document as its JSON text, for MSAL's `authorityMetadata`. */
  async raw(): Promise<string> {
    return (await this.#loadDocument()).raw;
  }

  /** The current key set for jose; `refresh` fetches again unless fetched very recently. */
  async keys(refresh = false): Promise<{ getKey: JWTVerifyGetKey; refreshed: boolean }> {
    const { getKey, refreshed } = await this.signingKeys(refresh);
    return { getKey, refreshed };
  }

  /**
   * The published signing keys. `refresh` (an unknown key id) fetches them again unless that was
   * done less than 30 s ago; concurrent callers share one fetch.
   */
  signingKeys(refresh = false): Promise<LoadedKeys> {
    const held = this.#keys;
    if (held && !refresh) {
      this.#renewIfOld();
      return Promise.resolve({ ...held, refreshed: false });
    }
    if (held && this.now() - this.#lastRefetchAt < JWKS_REFETCH_COOLDOWN_MS) {
      // A fetch under way when the cooldown started still counts as the refetch to wait for.
      return this.#keysPending ?? Promise.resolve({ ...held, refreshed: false });
    }
    if (held) this.#lastRefetchAt = this.now();
    this.#keysPending ??= this.#fetchKeys().finally(() => {
      this.#keysPending = undefined;
    });
    return this.#keysPending;
  }

  /** The signing keys held now, without fetching: undefined before the first fetch. */
  cachedKeys(): JSONWebKeySet | undefined {
    this.#renewIfOld();
    return this.#keys?.set;
  }

  /** Reads a day-old key set again in the background; the held one serves until then. */
  #renewIfOld(): void {
    const now = this.now();
    if (!this.#keys || this.#keysPending || now - this.#keysFetchedAt < this.#keysTtl) return;
    // After a failure the held keys serve on, and the next try waits 30 s: never one per request.
    if (now - this.#keysRenewedAt < WARM_RETRY_MS) return;
    this.#keysRenewedAt = now;
    this.#keysPending = this.#fetchKeys().finally(() => {
      this.#keysPending = undefined;
    });
    this.#keysPending.catch(() => {});
  }

  async #fetchKeys(): Promise<LoadedKeys> {
    const document = await this.document();
    const response = await this.network.sendGetRequestAsync<JSONWebKeySet>(document.jwks_uri);
    if (response.status !== 200 || !Array.isArray(response.body?.keys)) {
      throw new EntranceError(
        "identity_provider_unavailable",
        `the signing keys at ${document.jwks_uri} could not be read (HTTP ${response.status})`,
      );
    }
    // Entries that are not objects are dropped, not fatal: jose would refuse the whole set.
    const set = {
      keys: response.body.keys.filter(
        (key: unknown) => key !== null && typeof key === "object" && !Array.isArray(key),
      ),
    };
    this.#keys = { set, getKey: createLocalJWKSet(set) };
    this.#keysFetchedAt = this.now();
    this.#keysTtl = keysLifetime(response.headers["cache-control"]);
    return { ...this.#keys, refreshed: true };
  }

  async #loadDocument(): Promise<LoadedDocument> {
    if (this.#document && this.now() - this.#document.fetchedAt < METADATA_TTL_MS)
      return this.#document;
    // One fetch at a time, however many requests arrive together at start-up.
    this.#pending ??= this.#fetchDocument().finally(() => {
      this.#pending = undefined;
    });
    await this.#pending;
    return this.#document as LoadedDocument;
  }

  async #fetchDocument() {
    const url = `${this.authority}/v2.0/.well-known/openid-configuration`;
    const response = await this.network.sendGetRequestAsync<Partial<ProviderMetadata>>(url);
    const body = response.body;
    const required = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"] as const;
    const missing = required.filter((key) => typeof body[key] !== "string");
    if (response.status !== 200 || missing.length) {
      throw new EntranceError(
        "identity_provider_unavailable",
        `the OpenID configuration at ${url} is not usable (HTTP ${response.status}${missing.length ? `, missing ${missing.join(", ")}` : ""}); check AZURE_TENANT_ID and AZURE_AUTHORITY_HOST`,
      );
    }
    this.#document = {
      value: body as ProviderMetadata,
      raw: JSON.stringify(body),
      fetchedAt: this.now(),
    };
  }
}

/** A day, or less when the JWKS answer says so (`max-age`, not under 5 minutes). */
function keysLifetime(cacheControl: string | undefined): number {
  const maxAge = /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl ?? "")?.[1];
  if (maxAge === undefined) return KEYS_TTL_MS;
  return Math.min(KEYS_TTL_MS, Math.max(KEYS_MIN_TTL_MS, Number(maxAge) * 1000));
}
