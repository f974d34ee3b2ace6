/**
 * What an app gives `createEntrance`, and what the sign-in hook receives. In a module of their
 * own so that the façade and the flows can both import them without a cycle.
 */
import type { EntranceConfig, EntranceConfigInput } from "./config/schema.js";
import type { TrustedAuthority } from "./http/network.js";
import type { EntranceStore, UserRecord } from "./storage/types.js";
import type { IdTokenClaims } from "./tokens/id-token.js";

/** What the onSignIn hook receives. Tokens are for this request only: never log or store them. */
export interface SignInEvent {
  /** The user as it will be stored (first sign-in time kept from an earlier record). */
  readonly user: UserRecord;
  readonly claims: IdTokenClaims;
  readonly tokens: {
    readonly accessToken: string;
    readonly idToken: string;
    readonly expiresOn: Date | null;
    readonly scopes: readonly string[];
  };
}

/** `false` or `{ refuse: "reason shown to the user" }` refuses the sign-in. */
export type SignInDecision = undefined | boolean | { readonly refuse: string };

import type { Logger } from "./log/logger.js";

export type { LogFields, Logger } from "./log/logger.js";

export interface EntranceOptions extends Partial<EntranceConfigInput> {
  /**
   * Where users, sessions, tokens and login transactions are kept: one store, or a session side
   * and a directory side put together with `composeStores`. A function is called once the
   * configuration is valid (so a bad setting stops start-up before a store is opened), with it.
   */
  readonly store: EntranceStore | ((config: EntranceConfig) => EntranceStore);
  /**
   * A signed client assertion for each request to Entra's token endpoint, instead of a secret or
   * certificate: what workload identity federation and managed identities deliver (a federated
   * token). Called whenever MSAL needs one; it should cache what it fetches until near expiry.
   */
  readonly clientAssertion?: (request: {
    readonly clientId: string;
    /** The token endpoint the assertion is for (its `aud` when the app signs it itself). */
    readonly tokenEndpoint: string;
  }) => string | Promise<string>;
  /** Trust one more certificate authority for calls to Entra (the local emulator's). */
  readonly trust?: TrustedAuthority;
  /** Runs after the ID token is validated and before anything is stored; may refuse. */
  readonly onSignIn?: (event: SignInEvent) => SignInDecision | Promise<SignInDecision>;
  /**
   * Where Entrance logs, pino's shape (`(fields, message)`): failures at `error`/`warn`, sign-ins
   * and sign-in failures at `info`, refreshes at `debug`. Every line is redacted first (no token,
   * code, secret or cookie). Default: `console.warn` and `console.error` only.
   */
  readonly logger?: Logger;
  /** The environment to read AZURE_* and ENTRANCE_* from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Per-request facts an adapter knows and a `Request` does not carry. */
export interface RequestInfo {
  /** The client's address, recorded with sessions and audit events. */
  readonly ip?: string | null;
}
