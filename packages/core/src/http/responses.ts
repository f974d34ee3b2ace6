/**
 * The answers of guards and routes, in one place, negotiated per request: a page for a browser,
 * JSON for an API call (see `prefersJson`). Never a stack trace.
 */
import { EntranceError, findEntranceError, type Interaction } from "../errors/entrance-error.js";
import { explainAadsts } from "../errors/explanations.js";
import { errorPage, forbiddenPage, PAGE_HEADERS, signInAgainPage } from "../flow/pages.js";
import type { Logger } from "../options.js";
import { errorBody, prefersJson, statusOf } from "./errors.js";
import { type RequestLike, returnToOf } from "./node.js";

/** What the answers need to know of the app. */
export interface ResponderSettings {
  readonly logger: Logger;
  /** The redirect URI a request's sign-in uses (its own origin's, without `baseUrl`). */
  redirectUri(request: RequestLike): string;
  readonly clientId: string;
  readonly loginPath: string;
  loginUrl(returnTo: string): string;
  loginUrlFor(interaction: Interaction, returnTo: string): string;
}

/** What a requirement left unmet, for the 403 answer. */
export interface Missing {
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly permissions: readonly string[];
}

const NO_STORE = { "cache-control": "no-store" } as const;

export class Responder {
  constructor(private readonly settings: ResponderSettings) {}

  /** Not signed in: a page goes to sign in and comes back; an API call gets 401 JSON. */
  unauthenticated(request: RequestLike): Response {
    const loginUrl = this.settings.loginUrl(returnToOf(request));
    if (prefersJson(request.headers)) {
      return Response.json(
        { error: "unauthenticated", message: "Sign in first.", loginUrl },
        { status: 401, headers: NO_STORE },
      );
    }
    return redirect(loginUrl);
  }

  /** Signed in without what a guard requires: 403, saying what is missing. */
  forbidden(
    request: RequestLike,
    user: { displayName: string | null; username: string | null; roles: readonly string[] },
    missing: Missing,
  ): Response {
    const needs = [
      missing.roles.length ? `one of the app roles ${missing.roles.join(", ")}` : "",
      missing.groups.length ? `membership of one of the groups ${missing.groups.join(", ")}` : "",
      missing.permissions.length ? `one of the permissions ${missing.permissions.join(", ")}` : "",
    ].filter(Boolean);
    const message = `This needs ${needs.join(" and ")}.`;
    if (prefersJson(request.headers)) {
      return Response.json(
        { error: "forbidden", message, missing },
        { status: 403, headers: NO_STORE },
      );
    }
    return new Response(forbiddenPage(user, message), { status: 403, headers: PAGE_HEADERS });
  }

  /**
   * The answer to an error of a route, a guard or the app's own use of Entrance: consent or a
   * claims challenge goes to Entra and back to this page; a dead sign-in gets a page that offers
   * to sign in again; anything else its status from the one table, with Entra's code explained.
   * What is not an EntranceError is logged and answered as `identity_provider_unavailable`.
   */
  error(error: unknown, request: RequestLike): Response {
    const known =
      findEntranceError(error) ??
      new EntranceError(
        "identity_provider_unavailable",
        "Something went wrong while signing you in.",
        { cause: error },
      );
    if (
      !(error instanceof EntranceError) ||
      known.code === "identity_provider_unavailable" ||
      known.code === "sign_in_hook_failed" ||
      known.code === "store_failed" ||
      known.code === "store_unavailable"
    ) {
      this.settings.logger.error(
        { event: "request_failed", errorCode: known.code, error },
        "entrance: request failed",
      );
    }
    const json = prefersJson(request.headers);
    const returnTo = returnToOf(request);
    if (known.code === "interaction_required" && known.interaction) {
      const loginUrl = this.settings.loginUrlFor(known.interaction, returnTo);
      if (!json) return redirect(loginUrl);
      return Response.json(
        { error: known.code, message: "More consent is needed.", loginUrl },
        { status: statusOf(known), headers: NO_STORE },
      );
    }
    if (known.code === "downstream_interaction_required") return stepUp(known);
    if (known.code === "reauthentication_required") {
      const loginUrl = this.settings.loginUrl(returnTo);
      if (!json) {
        return new Response(signInAgainPage(loginUrl), {
          status: statusOf(known),
          headers: PAGE_HEADERS,
        });
      }
      return Response.json(
        { error: known.code, message: "Sign in again.", loginUrl },
        { status: statusOf(known), headers: NO_STORE },
      );
    }
    // A store that did not answer is likely back in seconds: say when to try again.
    const retry = known.code === "store_unavailable" ? { "retry-after": "5" } : undefined;
    if (json) {
      return Response.json(errorBody(known, { loginUrl: this.settings.loginPath }), {
        status: statusOf(known),
        headers: retry ? { ...NO_STORE, ...retry } : NO_STORE,
      });
    }
    const explanation = known.aadsts
      ? explainAadsts(known.aadsts, {
          redirectUri: this.settings.redirectUri(request),
          clientId: this.settings.clientId,
        })
      : undefined;
    return new Response(errorPage(known, explanation, this.settings.loginPath), {
      status: statusOf(known),
      headers: retry ? { ...PAGE_HEADERS, ...retry } : PAGE_HEADERS,
    });
  }
}

/**
 * A web API's answer when its downstream token needs the user: 401 with an RFC 6750 challenge the
 * API's client acts on — `insufficient_claims` with the claims (base64) for a claims challenge, as
 * Microsoft's clients expect, else `interaction_required` — and the JSON body. Always JSON: the
 * caller of a bearer route is a program, never a page.
 */
export function stepUp(error: EntranceError): Response {
  const claims = error.interaction?.claims;
  const description = claims
    ? "The downstream API needs more claims: get a new token with these claims and call again."
    : "The downstream API needs the user at Entra (consent or sign-in): get a new token interactively and call again.";
  const challenge = [
    `error="${claims ? "insufficient_claims" : "interaction_required"}"`,
    `error_description="${description}"`,
    ...(claims ? [`claims="${Buffer.from(claims, "utf8").toString("base64")}"`] : []),
  ];
  return Response.json(errorBody(error, claims ? { claims } : {}), {
    status: statusOf(error),
    headers: { ...NO_STORE, "www-authenticate": `Bearer ${challenge.join(", ")}` },
  });
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { location, ...NO_STORE } });
}
