import type { Clock } from "./clock.js";
import type { FaultQueue, RequestCounts } from "./control/faults.js";
import type { Directory } from "./directory.js";
import type { PolicyKeys } from "./pki/policy-keys.js";
import type { SigningKey, SigningKeys } from "./pki/signing-keys.js";
import type { CloudShape } from "./protocol/clouds.js";
import type { ProtocolState } from "./protocol/state.js";
import type { Lifetimes } from "./settings.js";

/** The emulator's base URLs. */
export interface EmulatorUrls {
  /** Browser-facing pages: authorize, sign-in, consent, logout. e.g. `http://localhost:8400` */
  readonly http: string;
  /** Discovery, token, keys, Graph. e.g. `https://localhost:8443` */
  readonly https: string;
  /**
   * Where browsers are sent (the authorize and logout endpoints in the metadata, Graph's
   * challenges): `http`, or `https` when the emulator was started with `httpsPages`. The pages
   * answer on both origins either way.
   */
  readonly pages: string;
}

/** Everything a request handler may use. One per running emulator. */
export interface EmulatorContext {
  readonly urls: EmulatorUrls;
  readonly directory: Directory;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  /** The B2C custom policies' own signing keys (a user flow signs with `keys`). */
  readonly policyKeys: PolicyKeys;
  readonly state: ProtocolState;
  readonly counts: RequestCounts;
  readonly faults: FaultQueue;
  /** The cloud the emulator answers as; undefined: its own `localhost` instance. */
  readonly cloud?: CloudShape | undefined;
  lifetimes: Lifetimes;
  /**
   * Signs with a new key from now on, the tenant's and each custom policy's, and keeps the keys
   * in the data folder (see `Control`).
   */
  rotateSigningKeys(options?: { retire?: boolean }): Promise<SigningKey>;
}
