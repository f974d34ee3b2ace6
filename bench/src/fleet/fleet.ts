import { join } from "node:path";
import { defaults, type RunningEmulator } from "@entrance/emulator";
import type { ServerSetup, StoreSetup } from "../servers/protocol.js";
import type { Backends } from "../stores/backends.js";
import { type ServerProcess, startServer } from "./server-process.js";
import type { Variant } from "./variants.js";

/** A variant's server, started and configured. */
export interface Started {
  readonly variant: Variant;
  readonly server: ServerProcess;
}

export interface FleetOptions {
  /** The CPU every server is pinned to. */
  readonly cpu: number;
  /** Where the SQLite files go. */
  readonly workDir: string;
  /** Node flags for the servers, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** Entrance's `pendingSignIns.perAddress`, when raised (see ServerSetup). */
  readonly signInsPerAddress?: number;
  /** Entrance: the group check of ServerSetup. */
  readonly groupCheck?: ServerSetup["groupCheck"];
  /** This run's PostgreSQL schema and Redis prefix, for variants on those stores. */
  readonly backends?: Backends;
}

/** The app every server signs in as (and whose API the bearer benchmark protects). */
export const CLIENT_ID = "be0c4a1e-5e55-4d0e-8a9e-0000be0c4a1e";
export const CLIENT_SECRET = "entrance-bench-client-secret-0123456789";

/**
 * Starts one server process per variant, all pinned to `options.cpu`, registers one app in the
 * emulator with every server's redirect URI, and hands each server its setup.
 */
export async function startFleet(
  emulator: RunningEmulator,
  variants: readonly Variant[],
  options: FleetOptions,
): Promise<Started[]> {
  const fleet: Started[] = [];
  for (const variant of variants) {
    const server = await startServer({
      script: variant.script,
      name: variant.id,
      cpu: options.cpu,
      // The CA's PEM file in the emulator's temporary folder.
      ...(variant.peer ? { env: { NODE_EXTRA_CA_CERTS: emulator.caCertPath } } : {}),
      ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
    });
    fleet.push({ variant, server });
  }
  emulator.control.putApp(defaults.contoso, {
    clientId: CLIENT_ID,
    displayName: "Entrance bench",
    secrets: [CLIENT_SECRET],
    redirectUris: fleet.map(({ variant, server }) => `${server.base}${variant.redirectPath}`),
    multiTenant: true,
    // The bearer benchmark's route requires it (`api://<client id>/Orders.Read`).
    exposedScopes: ["Orders.Read"],
  });
  for (const { variant, server } of fleet) {
    await server.configure({
      authorityHost: emulator.urls.https,
      tenant: variant.tenant,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      caCertPem: emulator.caCertPem,
      databasePath: join(options.workDir, `${variant.id}.db`),
      ...(variant.cacheSeconds === undefined ? {} : { cacheSeconds: variant.cacheSeconds }),
      ...(variant.store === undefined ? {} : { store: storeSetup(variant, options.backends) }),
      ...(options.signInsPerAddress === undefined
        ? {}
        : { signInsPerAddress: options.signInsPerAddress }),
      ...(options.groupCheck === undefined ? {} : { groupCheck: options.groupCheck }),
    });
  }
  return fleet;
}

/** The store setup of a variant on another store than the default SQLite. */
function storeSetup(variant: Variant, backends: Backends | undefined): StoreSetup {
  switch (variant.store) {
    case "postgres":
      if (!backends?.postgres) throw new Error(`${variant.id} needs PostgreSQL, not prepared`);
      return { kind: "postgres", ...backends.postgres };
    case "redis":
      if (!backends?.redis) throw new Error(`${variant.id} needs Redis, not prepared`);
      return { kind: "redis", ...backends.redis };
    default:
      return { kind: variant.store ?? "sqlite" };
  }
}
