/**
 * What one `requireBearer` route accepts, checked on every request after the token itself was
 * verified: audience, version, tenant, the kind of caller, and scopes (users) or app roles (apps).
 */
import { EntranceError } from "../errors/entrance-error.js";
import { type B2cRoute, b2cCaller, checkB2cRoute } from "./b2c-callers.js";
import type { Caller } from "./caller.js";
import { insufficient, type Refusal, refusedToken, wrongVersion } from "./refusals.js";
import type { VerifiedToken } from "./validator.js";

/** What `requireBearer` takes; every field is optional. */
export interface BearerOptions {
  /**
   * Accepted audiences (`aud`): default the app's client id and `api://<client id>` (what Entra
   * puts in v2.0 and v1.0 tokens for the app's API). Several are allowed.
   */
  readonly audience?: string | readonly string[];
  /**
   * Delegated scopes a user's token must carry in `scp` (e.g. `Orders.Read`, without the
   * `api://…/` prefix); any one of them, or all with `match: "all"`.
   */
  readonly scopes?: readonly string[];
  /** App roles an app-only token must carry in `roles`; any one, or all with `match: "all"`. */
  readonly roles?: readonly string[];
  /** Whether one of `scopes`/`roles` is enough (default) or all are needed. */
  readonly match?: "any" | "all";
  /**
   * Who may call: people through an app (`user`), apps on their own (`app`), or both. Default:
   * `user` with `scopes` only or nothing, `app` with `roles` only, both with both. App-only
   * tokens are accepted only with `roles`: any app of a tenant can get one for this API.
   */
  readonly callers?: "user" | "app" | "any";
  /**
   * Tenant ids whose tokens are accepted. Default: `authorization.trustedTenants`, or the app's
   * own tenant when it is single-tenant. An `organizations`/`common` app must name them here or
   * there.
   */
  readonly tenants?: readonly string[];
  /**
   * Client ids (`azp`, or `appid` in a v1.0 token) of the apps whose app-only tokens the route
   * takes; default any app holding `roles`. Required in an Azure AD B2C app for a route that takes
   * apps: B2C writes an app's permissions in `scp` as it writes a customer's scopes, so the
   * calling app's id is what tells a daemon's token from a customer's (a listed app's token is
   * never a customer's).
   */
  readonly apps?: readonly string[];
  /**
   * Token versions accepted: default `[2]`; `[1]` or `[1, 2]` for an API registered for v1.0.
   * Azure AD B2C's tokens count as 2; an External ID app takes 2 only.
   */
  readonly versions?: readonly (1 | 2)[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A scope or role name as RFC 6750's `scope` attribute can carry it. */
const NAME = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The options checked and frozen: a bad one throws a TypeError where the guard is written. */
export function checkBearerOptions(options: BearerOptions): BearerOptions {
  const list = (field: string, values: unknown, test: RegExp, what: string) => {
    if (values === undefined) return undefined;
    const array = typeof values === "string" ? [values] : values;
    if (!Array.isArray(array) || array.length === 0) {
      throw new TypeError(`requireBearer(): ${field} needs at least one ${what}`);
    }
    for (const value of array) {
      if (typeof value !== "string" || !test.test(value)) {
        throw new TypeError(
          `requireBearer(): ${field} takes ${what}s, got ${JSON.stringify(value)}`,
        );
      }
    }
    return Object.freeze([...array] as string[]);
  };
  const scopes = list("scopes", options.scopes, NAME, "scope name (no spaces or quotes)");
  const roles = list("roles", options.roles, NAME, "app role name (no spaces or quotes)");
  const audience = list("audience", options.audience, /^\S+$/, "audience");
  const tenants = list("tenants", options.tenants, GUID, "tenant id (GUID)");
  const apps = list("apps", options.apps, GUID, "client id (GUID)");
  const versions = options.versions ?? [2];
  if (!versions.length || versions.some((v) => v !== 1 && v !== 2)) {
    throw new TypeError("requireBearer(): versions takes 1 and/or 2");
  }
  const match = options.match ?? "any";
  if (match !== "any" && match !== "all")
    throw new TypeError('requireBearer(): match is "any" or "all"');
  const callers = options.callers ?? (roles && !scopes ? "app" : roles && scopes ? "any" : "user");
  if (callers !== "user" && callers !== "app" && callers !== "any") {
    throw new TypeError('requireBearer(): callers is "user", "app" or "any"');
  }
  if (callers !== "user" && !roles) {
    throw new TypeError(
      "requireBearer(): app-only callers need `roles`: without one, any app of a tenant could get a token for this API",
    );
  }
  if (callers === "user" && apps) {
    throw new TypeError(
      'requireBearer(): `apps` names the apps whose app-only tokens are taken; set callers: "app" or "any"',
    );
  }
  if (callers === "user" && roles) {
    throw new TypeError(
      'requireBearer(): `roles` are checked on app-only tokens; set callers: "app" or "any"',
    );
  }
  return Object.freeze({
    ...(audience ? { audience } : {}),
    ...(scopes ? { scopes } : {}),
    ...(roles ? { roles } : {}),
    ...(tenants ? { tenants: Object.freeze(tenants.map((t) => t.toLowerCase())) } : {}),
    ...(apps ? { apps: Object.freeze(apps.map((a) => a.toLowerCase())) } : {}),
    match,
    callers,
    versions: Object.freeze([...new Set(versions)].sort()),
  });
}

/** What the policy needs of the core. */
export interface PolicySettings {
  readonly clientId: string;
  /** An Entra External ID app: its APIs take v2.0 tokens only. */
  readonly externalId?: boolean;
  /** An Azure AD B2C app: apps' tokens are told from customers' by the route's names (b2c-callers.ts). */
  readonly b2c?: boolean;
  /** Whether the core trusts this tenant (`authorization.trustedTenants` or the app's own). */
  trusts(tenantId: string): boolean;
  /** True when no tenant is trusted (a multi-tenant app with no `trustedTenants`). */
  readonly trustsNoTenant: boolean;
}

/** A route's requirements, built once when its guard is built for a core. */
export class BearerPolicy {
  readonly #audiences: ReadonlySet<string>;
  readonly #versions: ReadonlySet<number>;
  readonly #tenants: ReadonlySet<string> | null;
  readonly #users: boolean;
  readonly #apps: boolean;
  readonly #scopes: readonly string[];
  readonly #roles: readonly string[];
  /** The apps whose app-only tokens are taken, by client id; null for any holding the roles. */
  readonly #appIds: ReadonlySet<string> | null;
  readonly #all: boolean;
  readonly #wrongVersion: Refusal;
  readonly #refusals: {
    scope?: Refusal;
    role?: Refusal;
    user: Refusal;
    app: Refusal;
    client: Refusal;
  };
  readonly #b2c: B2cRoute | undefined;

  constructor(
    options: BearerOptions,
    private readonly settings: PolicySettings,
  ) {
    const checked = checkBearerOptions(options);
    const audience = checked.audience as readonly string[] | undefined;
    this.#audiences = new Set(audience ?? [settings.clientId, `api://${settings.clientId}`]);
    this.#versions = new Set(checked.versions);
    if (settings.externalId && this.#versions.has(1)) {
      throw new EntranceError(
        "config_invalid",
        "requireBearer() in an External ID app accepts v2.0 tokens only: drop 1 from `versions`, and set the API's app registration to issue v2.0 tokens (requestedAccessTokenVersion: 2 in its manifest)",
      );
    }
    this.#tenants = checked.tenants ? new Set(checked.tenants) : null;
    if (!this.#tenants && settings.trustsNoTenant) {
      throw new EntranceError(
        "config_invalid",
        "requireBearer() in an organizations/common app needs the tenants whose tokens it accepts: pass `tenants` or set authorization.trustedTenants (ENTRANCE_TRUSTED_TENANTS)",
      );
    }
    this.#users = checked.callers !== "app";
    this.#apps = checked.callers !== "user";
    this.#scopes = checked.scopes ?? [];
    this.#roles = checked.roles ?? [];
    this.#appIds = checked.apps ? new Set(checked.apps) : null;
    this.#all = checked.match === "all";
    this.#b2c = settings.b2c
      ? { users: this.#users, apps: this.#apps, scopes: this.#scopes, appIds: this.#appIds }
      : undefined;
    if (this.#b2c) checkB2cRoute(this.#b2c);
    this.#wrongVersion = wrongVersion(checked.versions ?? [2]);
    const which = this.#all ? "all of" : "one of";
    this.#refusals = {
      ...(this.#scopes.length
        ? {
            scope: insufficient(
              "scope",
              `The token lacks ${which} the delegated scopes this API requires.`,
              this.#scopes.join(" "),
            ),
          }
        : {}),
      ...(this.#roles.length
        ? {
            role: insufficient(
              "role",
              `The token lacks ${which} the app roles this API requires.`,
              this.#roles.join(" "),
            ),
          }
        : {}),
      user: insufficient("caller_kind", "This API accepts app-only tokens only."),
      app: insufficient("caller_kind", "This API does not accept app-only tokens."),
      client: insufficient("caller_kind", "This API does not accept this app's app-only tokens."),
    };
  }

  /**
   * Whether the token is for this route's API and from a tenant it accepts: only such tokens are
   * kept verified, so that anyone's validly signed tokens (any tenant can get one from Entra for
   * its own app) cannot crowd the cache.
   */
  covers(token: VerifiedToken): boolean {
    return this.#audienceMatches(token) && this.#tenantAccepted(token.caller.tenantId);
  }

  /** The caller if the token meets the route's requirements, else the refusal. */
  admit(token: VerifiedToken): Caller | Refusal {
    const caller = this.#b2c ? b2cCaller(token.caller, this.#b2c) : token.caller;
    if (!this.#audienceMatches(token)) return refusedToken("audience");
    if (!this.#versions.has(caller.version)) return this.#wrongVersion;
    if (!this.#tenantAccepted(caller.tenantId)) return refusedToken("tenant");
    if (caller.kind === "user") {
      if (!this.#users) return this.#refusals.user;
      if (this.#refusals.scope && !this.#holds(caller.scopes, this.#scopes)) {
        return this.#refusals.scope;
      }
    } else {
      if (!this.#apps) return this.#refusals.app;
      if (this.#appIds && !this.#appIds.has(caller.appId.toLowerCase())) {
        return this.#refusals.client;
      }
      if (this.#refusals.role && !this.#holds(caller.roles, this.#roles)) {
        return this.#refusals.role;
      }
    }
    return caller;
  }

  #audienceMatches(token: VerifiedToken): boolean {
    return token.audiences.some((audience) => this.#audiences.has(audience));
  }

  #tenantAccepted(tenantId: string): boolean {
    return this.#tenants ? this.#tenants.has(tenantId) : this.settings.trusts(tenantId);
  }

  #holds(held: readonly string[], required: readonly string[]): boolean {
    return this.#all
      ? required.every((name) => held.includes(name))
      : required.some((name) => held.includes(name));
  }
}
