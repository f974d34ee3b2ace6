/**
 * The configured downstream APIs (`downstreamApis`), each made into a client for whoever acts:
 * the signed-in user, the caller of a `requireBearer` route (on-behalf-of), or the app.
 */
import type { Caller } from "../bearer/caller.js";
import type { DownstreamApiConfig } from "../config/downstream.js";
import { EntranceError } from "../errors/entrance-error.js";
import type { AccessToken, AcquireOptions, UserKey } from "../tokens/acquire.js";
import { type DownstreamApi, type DownstreamTokens, downstreamClient } from "./client.js";
import { DownstreamTarget } from "./target.js";

/** Who a request acts for: the signed-in user, a bearer caller and its token, or nobody. */
export type DownstreamActor =
  | { readonly user: UserKey }
  | { readonly caller: Caller; readonly assertion: string }
  | { readonly nobody: true };

/** How the core gets each kind of token; the same sources `getAccessToken` and friends use. */
export interface DownstreamTokenSources {
  user(user: UserKey, scopes: readonly string[], options?: AcquireOptions): Promise<AccessToken>;
  onBehalfOf(
    caller: Caller,
    assertion: string,
    scopes: readonly string[],
    options?: AcquireOptions,
  ): Promise<AccessToken>;
  /** `tenantId` as configured for the API, or undefined for the app's own tenant. */
  app(
    tenantId: string | undefined,
    scopes: readonly string[],
    options?: AcquireOptions,
  ): Promise<AccessToken>;
}

interface Configured {
  readonly target: DownstreamTarget;
  readonly config: DownstreamApiConfig;
}

/** The downstream APIs by name, their base URLs parsed once. */
export class DownstreamApis {
  // A Map, not the config's object: a name such as "constructor" must not find Object's.
  readonly #apis = new Map<string, Configured>();

  constructor(
    apis: Readonly<Record<string, DownstreamApiConfig>>,
    private readonly tokens: DownstreamTokenSources,
  ) {
    for (const [name, config] of Object.entries(apis)) {
      this.#apis.set(name, { target: new DownstreamTarget(name, config.baseUrl), config });
    }
  }

  /**
   * The client of API `name` for `actor`. An `as: "app"` API always gets the app's token; an
   * `as: "user"` one the user's, or the bearer caller's by on-behalf-of, and without an actor
   * (the app-level form) throws `config_invalid`. An unknown name throws `config_invalid`.
   */
  client(name: string, actor?: DownstreamActor): DownstreamApi {
    const api = this.#apis.get(name);
    if (!api) {
      const known = [...this.#apis.keys()].map((n) => `"${n}"`).join(", ") || "none";
      throw new EntranceError(
        "config_invalid",
        `No downstream API is named "${name}": add it to the downstreamApis option (configured: ${known}).`,
      );
    }
    const { target, config } = api;
    const { scopes } = config;
    if (config.as === "app") {
      return downstreamClient(target, scopes, "app", (options) =>
        this.tokens.app(config.tenantId, scopes, options),
      );
    }
    if (!actor) {
      throw new EntranceError(
        "config_invalid",
        `The downstream API "${name}" acts as the user: call it from a request (req.entrance.downstream("${name}")), or set as: "app" to call it as the app.`,
      );
    }
    return downstreamClient(
      target,
      scopes,
      "caller" in actor ? "on-behalf-of" : "user",
      this.#userTokens(actor, scopes),
    );
  }

  #userTokens(actor: DownstreamActor, scopes: readonly string[]): DownstreamTokens {
    if ("caller" in actor) {
      return (options) => this.tokens.onBehalfOf(actor.caller, actor.assertion, scopes, options);
    }
    if ("user" in actor) return (options) => this.tokens.user(actor.user, scopes, options);
    return () =>
      Promise.reject(
        new EntranceError(
          "reauthentication_required",
          "No user on this request to call the downstream API as: sign the user in, or put requireBearer() on the route to act for its caller.",
        ),
      );
  }
}
