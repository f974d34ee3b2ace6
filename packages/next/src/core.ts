import {
  type AdapterOptions,
  adapterCore,
  type Entrance,
  EntranceError,
  importedRedis,
  importedSql,
} from "@entrance/core";

/**
 * Options of `entrance()`: the core's, with the store optional (default: @entrance/store-sql, with
 * @entrance/store-redis for the session side when REDIS_URL is set).
 */
export interface NextEntranceOptions extends AdapterOptions {
  /**
   * The client's address for a request, recorded with sign-ins and used to bound sign-ins per
   * network. Default: none. Next's route handlers do not see the socket, and `next start` keeps an
   * `X-Forwarded-For` the client sent, so only a proxy you run can say it (e.g. its `X-Real-IP`).
   */
  readonly clientIp?: (request: Request) => string | null;
  /**
   * Which of the process's cores this is (default `"default"`): every `entrance()` of one name
   * shares one core, made by the first with the options it was given.
   */
  readonly name?: string;
}

/**
 * The default store's packages by `import()` written here, which a bundler follows: where Next
 * bundles Entrance, core's probe by name finds nothing.
 */
const OPENERS = {
  sql: importedSql(() => import("@entrance/store-sql")),
  redis: importedRedis(() => import("@entrance/store-redis")),
};

/**
 * Next loads `lib/entrance.ts` once per bundle (each route, the proxy) and again on every reload
 * in development, so the core lives on `globalThis`, one per process: one store connection, one
 * session cache, shared by every route.
 */
const CORES = Symbol.for("@entrance/next.cores");

/** The app's public origin: `baseUrl`, which `sharedCore` requires of a Next.js app. */
export function baseUrlOf(core: Entrance): string {
  return core.origins.fixed ?? "";
}

/** The process's core named `name`, made on first use (not at import: `next build` imports). */
export function sharedCore(name: string, options: AdapterOptions): () => Entrance {
  const scope = globalThis as { [CORES]?: Map<string, Entrance> };
  return () => {
    scope[CORES] ??= new Map();
    const cores = scope[CORES];
    let core = cores.get(name);
    if (!core) {
      core = adapterCore(options, OPENERS);
      if (core.origins.fixed === undefined) {
        void core.close();
        throw new EntranceError(
          "config_invalid",
          "Entrance is not configured correctly:\n  - baseUrl (ENTRANCE_BASE_URL): the Next.js adapter needs ENTRANCE_BASE_URL, the app's public origin (e.g. https://app.example.com): its route handlers do not see the connection, so ENTRANCE_ALLOWED_HOSTS and ENTRANCE_TRUST_PROXY cannot be checked there",
        );
      }
      cores.set(name, core);
    }
    return core;
  };
}
