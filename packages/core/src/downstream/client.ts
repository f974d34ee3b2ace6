/**
 * A fetch-style client for one configured downstream API: every request gets the right token
 * (the user's, on-behalf-of the caller's, or the app's), only on the API's origin and base path,
 * and never follows a redirect with it.
 */
import { EntranceError } from "../errors/entrance-error.js";
import { httpClientSpan } from "../telemetry/otel.js";
import type { AccessToken, AcquireOptions } from "../tokens/acquire.js";
import { claimsChallenge } from "../tokens/graph.js";
import type { DownstreamTarget } from "./target.js";

/** How long one exchange with a downstream API may take unless the caller's signal says less. */
const DOWNSTREAM_TIMEOUT_MS = 30_000;

/** Whose token a request carries; decides what error a claims challenge that stays becomes. */
export type DownstreamActing = "user" | "on-behalf-of" | "app";

/** Gets the token for the API's scopes, with a claims request or a forced refresh when asked. */
export type DownstreamTokens = (options?: AcquireOptions) => Promise<AccessToken>;

/**
 * A configured downstream API (`downstreamApis` option), called with the right token.
 *
 * @example
 * const answer = await req.entrance.downstream("orders").fetch("orders?top=10");
 * if (answer.ok) res.json(await answer.json());
 */
export interface DownstreamApi {
  /** The name it is configured under. */
  readonly name: string;
  /**
   * `fetch` for this API. `path` is relative to the API's `baseUrl` (`"orders"` or `"/orders"`
   * both mean `{baseUrl}orders`); an absolute URL or `URL` must be under `baseUrl`. Anything
   * else — another origin, `//host`, `..`, a backslash, credentials — throws
   * `downstream_url_not_allowed` before a token is asked for. `Authorization` is set to the
   * token (any given is replaced). Redirects are never followed (`redirect: "manual"`; `"error"`
   * is kept): a 3xx comes back as it is. A 401 gets one new token and one more try (a claims
   * challenge: a token with those claims); a request whose body is a stream is not tried again.
   * Errors: `downstream_unavailable` when the API cannot be reached or its answer does not
   * begin within 30 s (the body is the caller's to read, bounded by its own `signal`), the
   * token's errors (`interaction_required`, `downstream_interaction_required`, …) as they are.
   */
  fetch(path: string | URL, init?: RequestInit): Promise<Response>;
}

/** A client for one API with one way of getting its token. */
export function downstreamClient(
  target: DownstreamTarget,
  scopes: readonly string[],
  acting: DownstreamActing,
  tokens: DownstreamTokens,
): DownstreamApi {
  const send = (url: URL, init: RequestInit, token: AccessToken) =>
    exchange(target, url, init, token);
  return {
    name: target.name,
    async fetch(path, init = {}) {
      const url = target.resolve(path);
      let response = await send(url, init, await tokens());
      if (response.status !== 401) return response;
      const claims = claimsChallenge(response);
      // A stream body was read by the first try and cannot go again.
      const resendable = replayable(init.body);
      if (!resendable && !claims) return response;
      await response.body?.cancel();
      if (!claims) {
        // A token Entrance holds as valid was refused (the API's clock, a revocation): one
        // issued now, once. Whatever the API says then is its answer.
        return send(url, init, await tokens({ forceRefresh: true }));
      }
      if (!resendable) throw stillChallenged(target, acting, scopes, claims);
      // Continuous access evaluation: a token satisfying the claims, and one more try.
      response = await send(url, init, await tokens({ claims }));
      const again = claimsChallenge(response);
      if (!again) return response;
      await response.body?.cancel();
      throw stillChallenged(target, acting, scopes, again);
    },
  };
}

/** One exchange, with the token, on the checked URL, bounded in time, no redirect followed. */
async function exchange(
  target: DownstreamTarget,
  url: URL,
  init: RequestInit,
  token: AccessToken,
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token.token}`);
  // Bounds the wait for the answer to begin, not the reading of its body, which the app may stream
  // for as long as it likes (with its own signal).
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), DOWNSTREAM_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
  try {
    return await httpClientSpan(
      (init.method ?? "GET").toUpperCase(),
      url,
      () =>
        fetch(url, {
          ...init,
          headers,
          signal,
          redirect: init.redirect === "error" ? "error" : "manual",
        }),
      (response) => response.status,
    );
  } catch (cause) {
    // The caller's own abort is theirs to handle, as with fetch; so is a request fetch refuses to
    // make (a body on a GET, say), which fetch throws without a network cause.
    if (init.signal?.aborted) throw cause;
    if (!deadline.signal.aborted && (cause as Error | undefined)?.cause === undefined) throw cause;
    const reason = deadline.signal.aborted
      ? `no answer within ${DOWNSTREAM_TIMEOUT_MS / 1000} s`
      : networkReason(cause);
    throw new EntranceError(
      "downstream_unavailable",
      `The downstream API "${target.name}" (${target.origin}) could not be reached: ${reason}.`,
      { cause },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** What went wrong on the network, by its code (undici's `fetch failed` says nothing). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === "string") return cause.code;
  return typeof cause?.message === "string" ? cause.message : String((error as Error).message);
}

/** Whether a body can be sent twice: not a stream, which is read once. */
function replayable(body: RequestInit["body"]): boolean {
  return !(body instanceof ReadableStream) && !isAsyncIterable(body);
}

function isAsyncIterable(value: unknown): boolean {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/**
 * The API still asks for claims after a token with them: the user must be asked (a redirect to
 * Entra for a signed-in user, a step-up challenge for an API's caller); an app cannot be.
 */
function stillChallenged(
  target: DownstreamTarget,
  acting: DownstreamActing,
  scopes: readonly string[],
  claims: string,
): EntranceError {
  const interaction = { scopes: [...scopes], claims };
  const what = `The downstream API "${target.name}" (${target.origin}) asks for more claims`;
  if (acting === "user") {
    return new EntranceError("interaction_required", `${what}: the user must sign in again.`, {
      interaction,
    });
  }
  if (acting === "on-behalf-of") {
    return new EntranceError(
      "downstream_interaction_required",
      `${what}: the API's caller must get a new token with them.`,
      { interaction },
    );
  }
  return new EntranceError(
    "downstream_token_rejected",
    `${what} than an app token can carry (a Conditional Access policy on the app?).`,
  );
}
