/** Messages between the harness and a page server it forks (`page-server.ts`). */

/** Which server a child runs: Entrance in front of the page, or the page alone. */
export type ServerKind = "entrance" | "bare";

/** What the Entrance server needs to know once its origin is registered in the emulator. */
export interface EntranceSetup {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorityHost: string;
  readonly caCertPem: string;
  readonly databasePath: string;
}

export type ToServer =
  | { readonly type: "configure"; readonly entrance?: EntranceSetup }
  | { readonly type: "close" };

export type FromServer =
  | { readonly type: "listening"; readonly port: number }
  | { readonly type: "ready" }
  | { readonly type: "failed"; readonly message: string };
