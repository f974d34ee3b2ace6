import {
  createEntrance,
  defaultStore,
  type Entrance,
  EntranceError,
  type EntranceOptions,
} from "@entrance/core";

/**
 * Options of `entrance()`: the core's, with the store optional (default: @entrance/store-sql, with
 * @entrance/store-redis for the session side when REDIS_URL is set).
 */
export interface NextEntranceOptions extends Omit<EntranceOptions, "store"> {
  readonly store?: EntranceOptions["store"];
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
 * The default store's packages, optional peers, loaded when the core opens its store. Not probed
 * at import (as the other adapters do with `require.resolve`): where Next bundles this module,
 * such a probe always fails, while `import()` of a name it saw at build time works.
 */
const openSql = (url: string) =>
  import("@entrance/store-sql").then(
    (sql) => sql.openSqlStore(url),
    (cause: unknown) => missing("@entrance/store-sql", "pass `store`, or install it", cause),
  );
const openRedis = (url: string) =>
  import("@entrance/store-redis").then(
    (redis) => redis.openRedisStore({ url }),
    (cause: unknown) => missing("@entrance/store-redis", "install it, or unset REDIS_URL", cause),
  );

function missing(name: string, fix: string, cause: unknown): never {
  throw new EntranceError("config_invalid", `Entrance's default store needs ${name}: ${fix}.`, {
    cause,
  });
}

/**
 * Next loads `lib/entrance.ts` once per bundle (each route, the proxy) and again on every reload
 * in development, so the core lives on `globalThis`, one per process: one store connection, one
 * session cache, shared by every route.
 */
const CORES = Symbol.for("@entrance/next.cores");
type Registry = Map<string, Entrance>;

/** The process's core named `name`, made on first use (not at import: `next build` imports). */
export function sharedCore(name: string, options: NextEntranceOptions): () => Entrance {
  const scope = globalThis as { [CORES]?: Registry };
  return () => {
    scope[CORES] ??= new Map();
    let core = scope[CORES].get(name);
    if (!core) {
      const { clientIp: _clientIp, name: _name, ...rest } = options;
      core = createEntrance({ ...rest, store: options.store ?? defaultStore(openSql, openRedis) });
      scope[CORES].set(name, core);
    }
    return core;
  };
}
