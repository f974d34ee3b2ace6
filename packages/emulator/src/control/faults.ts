/** A fault the emulator injects into the next response of an endpoint. */
export type Fault =
  /** Answer normally, but only after `ms` milliseconds. */
  | { readonly kind: "delay"; readonly ms: number }
  /** Answer with this status, JSON body and headers instead of the real answer. */
  | {
      readonly kind: "status";
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Answer 200 with a body that is not valid JSON. */
  | { readonly kind: "malformed" }
  /** Announce a whole JSON body (Content-Length), send half of it, and close the connection. */
  | { readonly kind: "truncated" }
  /**
   * Token endpoint only: answer normally, but with an ID token that has this defect (see
   * {@link ID_TOKEN_DEFECTS}), as a hostile or broken identity provider would issue it.
   */
  | { readonly kind: "id_token"; readonly defect: IdTokenDefect }
  /** Close the connection without answering. */
  | { readonly kind: "drop" }
  /**
   * Answer with an Entra error in the endpoint's shape (the token endpoint's JSON): the OAuth
   * `error`, its AADSTS number, and optionally the `suberror` and a `claims` challenge (JSON).
   */
  | {
      readonly kind: "error";
      readonly error: string;
      readonly aadsts: number;
      readonly description?: string;
      readonly suberror?: string;
      readonly claims?: string;
      /** Default 400. */
      readonly status?: number;
    };

/**
 * What an `id_token` fault does to the next ID token. Each breaks one rule a relying party must
 * check (OpenID Connect Core 3.1.3.7, Entra's issuer rules), except `no-kid` with one published key
 * and `rotated-kid`, which a relying party must accept.
 */
export const ID_TOKEN_DEFECTS = [
  /** Signed by the real key, then one byte of the signature changed. */
  "bad-signature",
  /** `alg: none` and no signature. */
  "alg-none",
  /** HS256, with the published RSA public key (PEM) as the HMAC secret: the key-confusion attack. */
  "hs256-public-key",
  /** No `kid` (nor `x5t`) in the header; signed by the active key. */
  "no-kid",
  /** Signed by a key that is never published. */
  "unknown-kid",
  /** Signed by a new key that the JWKS publishes from this moment on (a rotation). */
  "rotated-kid",
  /** `aud` is another app's client id. */
  "wrong-aud",
  /** `aud` is [this app, another app] and `azp` the other app. */
  "aud-array-foreign-azp",
  /** `iss` is on another host. */
  "wrong-iss",
  /** `iss` is the literal template `…/{tenantid}/v2.0`. */
  "template-iss",
  /** `iss` names another tenant than `tid`. */
  "iss-tenant-mismatch",
  "missing-iat",
  "missing-sub",
  "missing-oid",
  "missing-tid",
  "missing-nonce",
  /** `nonce` is not the one the sign-in request sent. */
  "wrong-nonce",
  /** `exp` (and `iat`, `nbf`) an hour in the past. */
  "expired",
  /** `nbf` an hour ahead. */
  "not-yet-valid",
  /** `iat` an hour ahead. */
  "iat-future",
  /** The v1.0 issuer `https://sts.windows.net/{tid}/` and `ver: "1.0"` in a v2.0 flow. */
  "v1-issuer",
  /**
   * A valid token of a user of another tenant (the first other tenant in the directory): what a
   * mix-up would deliver to an app that expects one tenant.
   */
  "other-tenant",
] as const;
export type IdTokenDefect = (typeof ID_TOKEN_DEFECTS)[number];

/**
 * An endpoint's faults may target one app (by client id): the token endpoint's once the client
 * is authenticated, the authorize endpoint's once the client and its redirect URI are known (an
 * `error` fault there goes back to the app's redirect URI, as Entra sends errors to the callback).
 */
export const APP_TARGETED_ENDPOINTS: readonly Endpoint[] = ["token", "authorize"];

/** The endpoints that count requests and take faults. */
export const ENDPOINTS = [
  "discovery",
  "instance-discovery",
  "keys",
  "authorize",
  "sign-in",
  "consent",
  "token",
  "logout",
  "graph",
  "userinfo",
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/**
 * Faults waiting for their endpoint's next requests, in order: for any caller, or for one app's
 * requests only (`clientId`), which the endpoint takes once it knows the client.
 */
export class FaultQueue {
  readonly #queued = new Map<string, Fault[]>();

  add(endpoint: Endpoint, fault: Fault, times = 1, clientId?: string): void {
    const key = keyOf(endpoint, clientId);
    const queue = this.#queued.get(key) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.#queued.set(key, queue);
  }

  take(endpoint: Endpoint, clientId?: string): Fault | undefined {
    return this.#queued.get(keyOf(endpoint, clientId))?.shift();
  }

  clear(): void {
    this.#queued.clear();
  }
}

/** Request counts per endpoint, and per grant type for the token endpoint (`token:refresh_token`). */
export class RequestCounts {
  readonly #counts = new Map<string, number>();

  add(name: string): void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
  }

  get(name: string): number {
    return this.#counts.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.#counts.clear();
  }
}

function keyOf(endpoint: Endpoint, clientId: string | undefined): string {
  return clientId === undefined ? endpoint : `${endpoint} ${clientId.toLowerCase()}`;
}
