/** Messages between a harness and a server under test it starts (see serve.ts). */
import type { PostgresTarget, RedisTarget } from "../stores/backends.js";

/** What a server needs once its origin is registered in the emulator. */
export interface ServerSetup {
  /** The emulator's https origin: its authority host. */
  readonly authorityHost: string;
  /** Tenant id or alias of the authority the server signs in against. */
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * The emulator's CA certificate, for Entrance's `trustCertificateAuthority`. The peers trust it
   * as Node does any extra CA: NODE_EXTRA_CA_CERTS in their environment, set at start.
   */
  readonly caCertPem: string;
  /** Entrance: the SQLite file of its store (of its directory side, with Redis). */
  readonly databasePath?: string;
  /**
   * Entrance: where its store keeps the data; left out, SQLite at `databasePath`. Redis holds
   * the session side only, with the directory in SQLite at `databasePath`, as
   * packages/store-redis/README.md sets it up.
   */
  readonly store?: StoreSetup;
  /** Entrance: `session.cacheSeconds` (left out: the default). */
  readonly cacheSeconds?: number;
  /**
   * Entrance: `pendingSignIns.perAddress`, raised only where thousands of sign-ins come from
   * 127.0.0.1 (the memory benchmark); left out: the default.
   */
  readonly signInsPerAddress?: number;
  /**
   * Entrance: also serve GROUP_CHECK_PATH behind `requireGroup(group)`, trusting the groups of
   * `tenant` (a multi-tenant app trusts none by default), so that the memory benchmark can have
   * an overage user's groups resolved and stored.
   */
  readonly groupCheck?: { readonly group: string; readonly tenant: string };
}

/** The store an Entrance server opens (see {@link ServerSetup.store}). */
export type StoreSetup =
  | { readonly kind: "memory" }
  | { readonly kind: "sqlite" }
  | ({ readonly kind: "postgres" } & PostgresTarget)
  | ({ readonly kind: "redis" } & RedisTarget);

/** Where an Entrance server with `groupCheck` serves its group-guarded page. */
export const GROUP_CHECK_PATH = "/group-check";

/** What a server tells about itself on request: memory, and facts of its own (sessions held). */
export interface ServerFacts {
  /** `process.memoryUsage()`, after a full garbage collection when node runs with --expose-gc. */
  readonly memory: NodeJS.MemoryUsage;
  readonly collected: boolean;
  readonly own: Readonly<Record<string, number>>;
}

export type ToServer =
  | { readonly type: "configure"; readonly setup: ServerSetup }
  | { readonly type: "facts" }
  | { readonly type: "close" };

export type FromServer =
  | { readonly type: "listening"; readonly port: number }
  | { readonly type: "ready" }
  | { readonly type: "facts"; readonly facts: ServerFacts }
  | { readonly type: "failed"; readonly message: string };
