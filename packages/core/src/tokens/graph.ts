import type { Agent } from "node:https";
import {
  AuthenticationHandlerOptions,
  Client,
  type Context,
  type Middleware,
  RetryHandler,
  RetryHandlerOptions,
} from "@microsoft/microsoft-graph-client";
import { EntranceError } from "../errors/entrance-error.js";
import { once } from "../http/network.js";
import { httpClientSpan } from "../telemetry/otel.js";
import type { AccessToken, AcquireOptions } from "./acquire.js";
import { GraphOrigins } from "./graph-origins.js";

/** Gets the signed-in user's token for `scopes`, with a claims request when given. */
export type TokenSource = (
  scopes: readonly string[],
  options?: AcquireOptions,
) => Promise<AccessToken>;

const GRAPH_TIMEOUT_MS = 30_000;

/**
 * A Microsoft Graph client bound to one user. Every request carries their token for the default
 * scopes, or for the scopes a request names with `AuthenticationHandlerOptions`; a continuous
 * access evaluation challenge (401 `insufficient_claims`) gets a token satisfying its claims and
 * the request is sent once more; 429 and 503 wait as Retry-After says (the SDK's RetryHandler).
 *
 * The token goes only to the origin of `baseUrl` and to `allowedOrigins`: a request to any other
 * origin (an absolute URL, say an `@odata.nextLink` a client supplied) throws
 * `graph_host_not_allowed` before anything is sent. Redirects are not followed, so a 3xx never
 * carries the token elsewhere; it comes back as the SDK's error for that status.
 *
 * @example
 * const me = await graph.api("/me").get();
 * const mail = await graph.api("/me/messages").middlewareOptions([
 *   new AuthenticationHandlerOptions(undefined, { scopes: ["Mail.Read"] }),
 * ]).get();
 */
export function graphClient(options: {
  /** Microsoft Graph without the version, e.g. `https://graph.microsoft.com`. */
  readonly baseUrl: string;
  readonly scopes: readonly string[];
  readonly tokens: TokenSource;
  readonly agent: Agent;
  /**
   * More origins that may receive the user's token, e.g. `["https://graph-proxy.contoso.com"]`:
   * each an https origin (scheme, host, optional port; no path), compared exactly after URL
   * normalisation — no suffix or wildcard matching. Throws `config_invalid` for an entry that is
   * not one. Default: none, only the origin of `baseUrl`.
   */
  readonly allowedOrigins?: readonly string[];
}): Client {
  const origins = new GraphOrigins(options.baseUrl, options.allowedOrigins);
  const auth = new UserTokenHandler(options.tokens, options.scopes, origins);
  const retry = new RetryHandler(new RetryHandlerOptions());
  const transport = new HttpsTransport(options.agent, origins);
  // No RedirectHandler, on purpose: the transport returns a 3xx as it is. (The SDK's handler
  // would re-send from inside the chain, past our origin check, and drops only a header spelt
  // "Authorization" while ours is "authorization".)
  auth.setNext(retry);
  retry.setNext(transport);
  const client = Client.initWithMiddleware({ baseUrl: options.baseUrl, middleware: auth });
  return keepEntranceErrors(client, auth);
}

/**
 * The SDK turns an error thrown in its middleware into a GraphError that keeps only the message:
 * give callers (and the adapters' redirects) the EntranceError itself, with its code and what
 * interaction it needs.
 */
function keepEntranceErrors(client: Client, auth: UserTokenHandler): Client {
  const rethrow = (error: unknown): never => {
    throw auth.takeError() ?? error;
  };
  const wrapRequest = (request: object): object =>
    new Proxy(request, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result === target) return wrapRequest(target);
          if (result instanceof Promise) return result.catch(rethrow);
          return result;
        };
      },
    });
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "api" && typeof value === "function") {
        return (...args: unknown[]) =>
          wrapRequest((value as (...a: unknown[]) => object).apply(target, args));
      }
      return value;
    },
  });
}

/** Adds the user's token, on allowed origins only; answers a claims challenge once. */
class UserTokenHandler implements Middleware {
  #next: Middleware | undefined;
  #error: EntranceError | undefined;

  constructor(
    private readonly tokens: TokenSource,
    private readonly scopes: readonly string[],
    private readonly origins: GraphOrigins,
  ) {}

  setNext(next: Middleware): void {
    this.#next = next;
  }

  /** The EntranceError behind the last failed request, once. */
  takeError(): EntranceError | undefined {
    const error = this.#error;
    this.#error = undefined;
    return error;
  }

  async execute(context: Context): Promise<void> {
    try {
      await this.#execute(context);
    } catch (error) {
      if (error instanceof EntranceError) this.#error = error;
      throw error;
    }
  }

  async #execute(context: Context): Promise<void> {
    const next = this.#next;
    if (!next) throw new Error("UserTokenHandler needs a next middleware");
    // Before a token is even acquired: a refused origin costs no token request.
    this.origins.check(urlOf(context));
    const requested = (
      context.middlewareControl?.getMiddlewareOptions(AuthenticationHandlerOptions) as
        | AuthenticationHandlerOptions
        | undefined
    )?.authenticationProviderOptions?.scopes;
    const scopes = requested?.length ? requested : this.scopes;
    await this.#send(context, next, await this.tokens(scopes));
    if (refused(context.response)) {
      // Graph refused a token Entrance holds as valid: expired by Graph's clock (this server's
      // runs behind), or revoked. A token issued now, and one more try.
      await this.#send(context, next, await this.tokens(scopes, { forceRefresh: true }));
      if (refused(context.response)) {
        throw new EntranceError(
          "graph_token_rejected",
          "Microsoft Graph refused a token Entra had just issued (HTTP 401). Check that this server's clock is right (Graph judges expiry by Microsoft's), or whether the user's access was revoked.",
        );
      }
    }
    const claims = claimsChallenge(context.response);
    if (!claims) return;
    // Continuous access evaluation: a token that satisfies the claims, then one more try.
    await this.#send(context, next, await this.tokens(scopes, { claims }));
    if (claimsChallenge(context.response)) {
      throw new EntranceError(
        "interaction_required",
        "Microsoft Graph still asks for more claims after a new token.",
        {
          interaction: { scopes, claims },
        },
      );
    }
  }

  async #send(context: Context, next: Middleware, token: AccessToken): Promise<void> {
    const headers = new Headers(context.options?.headers as HeadersInit | undefined);
    headers.set("authorization", `Bearer ${token.token}`);
    context.options = { ...context.options, headers: Object.fromEntries(headers) };
    await next.execute(context);
  }
}

/** A 401 that is not a claims challenge: the token itself was refused. */
function refused(response: Response | undefined): boolean {
  return response?.status === 401 && !claimsChallenge(response);
}

/** The decoded `claims` of a 401 `insufficient_claims` challenge, or undefined. */
export function claimsChallenge(response: Response | undefined): string | undefined {
  if (response?.status !== 401) return undefined;
  const header = response.headers.get("www-authenticate") ?? "";
  if (!/error="insufficient_claims"/.test(header)) return undefined;
  const encoded = /claims="([^"]+)"/.exec(header)?.[1];
  if (!encoded) return undefined;
  try {
    const json = Buffer.from(encoded, "base64").toString("utf8");
    JSON.parse(json);
    return json;
  } catch {
    return undefined;
  }
}

/** The URL a middleware context is about to request. */
function urlOf(context: Context): string {
  return context.request instanceof Request ? context.request.url : String(context.request);
}

/**
 * The last middleware: sends the request with node:https on Entrance's agent (explicit trust),
 * never following a redirect. It checks the origin again, so that a middleware placed after the
 * token handler (a redirect follower, say) cannot send the token elsewhere.
 */
class HttpsTransport implements Middleware {
  constructor(
    private readonly agent: Agent,
    private readonly origins: GraphOrigins,
  ) {}

  async execute(context: Context): Promise<void> {
    const request = context.request instanceof Request ? context.request : undefined;
    const url = urlOf(context);
    this.origins.check(url);
    const method = (context.options?.method ?? request?.method ?? "GET").toUpperCase();
    const headers = Object.fromEntries(
      new Headers((context.options?.headers ?? request?.headers) as HeadersInit | undefined),
    );
    const body = await bodyOf(
      context.options?.body ?? (request ? await request.arrayBuffer() : undefined),
    );
    let raw: Awaited<ReturnType<typeof once>>;
    try {
      raw = await httpClientSpan(
        method,
        url,
        () => once(this.agent, method, url, headers, body, GRAPH_TIMEOUT_MS),
        (answer) => answer.status,
      );
    } catch (cause) {
      throw new EntranceError(
        "identity_provider_unavailable",
        `Microsoft Graph could not be reached: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    const status = raw.status;
    const noBody = status === 204 || status === 304 || method === "HEAD";
    context.response = new Response(noBody ? null : new Uint8Array(raw.body), {
      status,
      headers: raw.headers,
    });
  }
}

async function bodyOf(body: unknown): Promise<string | Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  return String(body);
}
