import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { EntranceConfig } from "../config/schema.js";
import { EntranceError } from "../errors/entrance-error.js";
import { deferredStore } from "./deferred.js";
import type { EntranceStore } from "./types.js";

/** Where the default store keeps its SQLite file when no DATABASE_URL is set. */
export const DEFAULT_DATABASE = ".entrance/entrance.db";

/**
 * The store a newcomer gets when they pass none: @entrance/store-sql on the validated
 * `databaseUrl` (DATABASE_URL), or SQLite in `.entrance/`. store-sql is an optional peer of the
 * adapters, so an app that passes its own store installs no native module: an adapter hands over
 * `open` only when the package is installed (resolved from the adapter's own location).
 *
 * @param open - opens a SQL store for a URL (`openSqlStore`), or null when it is not installed.
 */
export function defaultStore(
  open: ((databaseUrl: string) => Promise<EntranceStore>) | null,
): (config: EntranceConfig) => EntranceStore {
  return (config) => {
    if (!open) {
      throw new EntranceError(
        "config_invalid",
        "Entrance needs a store: pass `store`, or `npm install @entrance/store-sql` for the " +
          "default (SQLite in .entrance/, or DATABASE_URL).",
      );
    }
    if (!config.databaseUrl) mkdirSync(dirname(DEFAULT_DATABASE), { recursive: true });
    return deferredStore(open(config.databaseUrl ?? DEFAULT_DATABASE));
  };
}
