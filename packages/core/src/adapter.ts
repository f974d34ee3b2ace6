/**
 * What every framework adapter shares, so that an adapter only translates: its options (the
 * store optional), its core (the default store when none is given), its guards (built once per
 * core; standalone ones checked against the latest core), the context or core's answer when the
 * store fails, and the answer to an Entrance error. An adapter puts each in its framework's idiom.
 */
import type { BearerOptions } from "./bearer/policy.js";
import type { EntranceContext } from "./context.js";
import { createEntrance, type Entrance } from "./entrance.js";
import { findEntranceError } from "./errors/entrance-error.js";
import {
  authGuard,
  bearerGuard,
  type Guard,
  type GuardSpec,
  groupGuard,
  guardPerCore,
  permissionGuard,
  roleGuard,
  scopesGuard,
} from "./guards.js";
import type { RequestLike } from "./http/node.js";
import type { EntranceOptions } from "./options.js";
import { defaultStore } from "./storage/default.js";
import type { RedisOpener, SqlOpener } from "./storage/peers.js";

/**
 * What an adapter's `entrance()` takes: the core's options, with the store optional (default:
 * @entrance/store-sql, with @entrance/store-redis for the session side when REDIS_URL is set).
 */
export interface AdapterOptions extends Omit<EntranceOptions, "store"> {
  readonly store?: EntranceOptions["store"];
}

/**
 * The core an adapter serves: `createEntrance`, with the default store when none is given. The
 * default store's packages are found by name unless `openers` are given: an adapter whose code a
 * bundler builds passes openers from its own `import()` ({@link importedSql}).
 */
export function adapterCore(
  options: AdapterOptions,
  openers?: { readonly sql: SqlOpener; readonly redis: RedisOpener },
): Entrance {
  const store =
    options.store ?? (openers ? defaultStore(openers.sql, openers.redis) : defaultStore());
  return createEntrance({ ...options, store });
}

/**
 * The request's context: at once when it can be had (no session cookie, or a session cached in
 * process), else a promise. When the store does not answer or fails, the promise gives core's
 * answer (a 503 or 500 page, or JSON) instead of a context: never the framework's error page.
 * A request on a host the app does not answer on gets core's 400 (`host_not_allowed`).
 */
export function contextOrAnswer(
  core: Entrance,
  request: RequestLike,
): EntranceContext | Promise<EntranceContext | Response> {
  const refused = core.hostRefusal(request);
  if (refused) return Promise.resolve(refused);
  return (
    core.contextNow(request) ??
    core.contextFromStore(request).catch((error: unknown) => core.errorResponse(error, request))
  );
}

/**
 * Core's answer to an error thrown by the app's handler, when it is an Entrance error on a request
 * Entrance gave a context (consent and back, "sign in again", or its status; JSON for API calls);
 * null for any other error, which the framework's own handling keeps.
 */
export function entranceErrorAnswer(
  error: unknown,
  context: EntranceContext | null | undefined,
): Response | null {
  if (!context || !findEntranceError(error)) return null;
  return context.core.errorResponse(error, context.request);
}

/**
 * Where an Entrance error sends the user when the answer must be a redirect (a framework's
 * server-side rendering, which cannot answer with a page of its own): consent for more scopes, or
 * signing in again, each returning to `returnTo` (a path of the app's; anything else returns to
 * `/`); null for any other error.
 */
export function signInUrlFor(core: Entrance, error: unknown, returnTo: string): string | null {
  const known = findEntranceError(error);
  if (known?.code === "interaction_required" && known.interaction) {
    return core.loginUrlFor(known.interaction, returnTo);
  }
  return known?.code === "reauthentication_required" ? core.loginUrl(returnTo) : null;
}

/** The guards, each in a framework's idiom `H` (see core's README for what each requires). */
export interface AdapterGuards<H> {
  /** Signed-in users; others are sent to sign in (pages) or get a 401 (API calls). */
  requireAuth(): H;
  /** Signed-in users whose token for `scopes` can be had, else consent at Entra and back. */
  requireScopes(...scopes: string[]): H;
  /** Users holding any of these app roles; others get a 403 saying what is missing. */
  requireRole(...roles: string[]): H;
  /** Members of any of these groups (object ids, or names from `authorization.groups`). */
  requireGroup(...groups: string[]): H;
  /** Users granted any of these permissions (`authorization.permissions`). */
  requirePermission(...names: string[]): H;
  /**
   * An Entra access token for this app's API in `Authorization: Bearer`; the caller is then the
   * context's `caller`. Refusals are 401, 403 or 503 with a `WWW-Authenticate` challenge and
   * JSON. See core's README, "Protecting an API".
   */
  requireBearer(options?: BearerOptions): H;
}

/** One adapter's guards: standalone ones, ones bound to a core, and the latest core. */
export interface AdapterGuardKit<H> {
  /** Guards built from now on check their names against `core` (what `entrance()` calls). */
  remember(core: Entrance): void;
  /** Guards checked against `core` when built (`auth.requireRole(…)`). */
  boundTo(core: Entrance): AdapterGuards<H>;
  /** Guards checked against the latest remembered core when built (`import { requireAuth }`). */
  readonly standalone: AdapterGuards<H>;
  /** The latest remembered core, for what runs where no request context is (an error handler). */
  latest(): Entrance | undefined;
}

/**
 * Builds an adapter's guards: `wrap` turns a guard into the framework's handler. The guard it
 * receives decides for whichever core the request came through (each guard is built once per
 * core), so one guard serves several cores; a bad name or option throws when it is written.
 *
 * @example
 * const kit = adapterGuards((guard) => async (c, next) => (await guard(c.get("entrance"))) ?? next());
 */
export function adapterGuards<H>(wrap: (guard: Guard) => H): AdapterGuardKit<H> {
  let latest: Entrance | undefined;
  const build = (bound?: Entrance): AdapterGuards<H> => {
    const as = (spec: GuardSpec): H => {
      const guardFor = guardPerCore(spec, bound ?? latest);
      return wrap((context) => guardFor(context.core)(context));
    };
    return {
      requireAuth: () => as(authGuard()),
      requireScopes: (...scopes) => as(scopesGuard(scopes)),
      requireRole: (...roles) => as(roleGuard(roles)),
      requireGroup: (...groups) => as(groupGuard(groups)),
      requirePermission: (...names) => as(permissionGuard(names)),
      requireBearer: (options) => as(bearerGuard(options)),
    };
  };
  return {
    remember: (core) => {
      latest = core;
    },
    boundTo: build,
    standalone: build(),
    latest: () => latest,
  };
}
