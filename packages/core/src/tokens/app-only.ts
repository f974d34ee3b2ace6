/**
 * The app's own tokens (client credentials), kept in this process until five minutes before they
 * expire. Not in the store: an app token belongs to no user, costs one request to get again, and
 * is worth more to a thief than any user's (it acts as the app everywhere), so it never leaves
 * memory. Each (tenant, scopes) is asked for once however many requests want it at the same time.
 */
import type { ConfidentialClientApplication } from "@azure/msal-node";
import { isMultiTenant } from "../config/load.js";
import type { EntranceConfig } from "../config/schema.js";
import { EntranceError } from "../errors/entrance-error.js";
import type { AccessToken, AcquireOptions } from "./acquire.js";
import { explain } from "./on-behalf-of.js";

/** A token this close to its expiry is replaced before use. */
const RENEW_BEFORE_MS = 5 * 60_000;

export class AppTokens {
  readonly #cached = new Map<string, AccessToken>();
  readonly #inFlight = new Map<string, Promise<AccessToken>>();

  constructor(
    private readonly clientFor: (tenantId: string) => Promise<ConfidentialClientApplication>,
    private readonly now: () => number = Date.now,
  ) {}

  /** An app-only token for `scopes` (one resource's `.default`) in `tenantId`. */
  get(tenantId: string, scopes: readonly string[], options: AcquireOptions = {}) {
    const key = JSON.stringify([tenantId, [...scopes].sort(), options.claims ?? null]);
    const cached = this.#cached.get(key);
    if (!options.forceRefresh && !options.claims && cached && this.#fresh(cached)) {
      return Promise.resolve(cached);
    }
    const flightKey = `${key}${options.forceRefresh ? "!" : ""}`;
    const running = this.#inFlight.get(flightKey);
    if (running) return running;
    const promise = this.#acquire(tenantId, scopes, options)
      .then((token) => {
        if (!options.claims) this.#cached.set(key, token);
        return token;
      })
      .finally(() => this.#inFlight.delete(flightKey));
    this.#inFlight.set(flightKey, promise);
    return promise;
  }

  #fresh(token: AccessToken): boolean {
    return token.expiresOn !== null && token.expiresOn.getTime() - RENEW_BEFORE_MS > this.now();
  }

  async #acquire(
    tenantId: string,
    scopes: readonly string[],
    options: AcquireOptions,
  ): Promise<AccessToken> {
    const client = await this.clientFor(tenantId);
    try {
      const result = await client.acquireTokenByClientCredential({
        scopes: [...scopes],
        // This cache is the one that counts; MSAL's, new with each client, would be empty anyway.
        skipCache: true,
        ...(options.claims ? { claims: options.claims } : {}),
      });
      if (!result) throw new EntranceError("token_request_failed", "Entra gave no token.");
      return { token: result.accessToken, expiresOn: result.expiresOn, scopes: result.scopes };
    } catch (error) {
      throw explain(error, scopes);
    }
  }
}

/**
 * The tenant an app-only token is asked in: the one given, or the configured one. Throws
 * `config_invalid` for a multi-tenant app (`organizations`, `common`) given none.
 */
export function appTenantOf(config: EntranceConfig, given: string | undefined): string {
  if (given) return given;
  if (!isMultiTenant(config)) return config.tenantId;
  throw new EntranceError(
    "config_invalid",
    `An app acts as itself in one tenant: pass tenantId to getAppToken/appGraph (this app's tenantId is "${config.tenantId}").`,
  );
}
