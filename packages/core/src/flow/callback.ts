/**
 * `GET /auth/callback`: finishes a sign-in. Checks the browser binding, takes the transaction
 * (once, for this browser only), redeems the code, validates the ID token, asks `onSignIn`, and
 * only then stores the user, a new session and the tokens.
 */
import type { AuthenticationResult } from "@azure/msal-node";
import { accountKindOf } from "../config/accounts.js";
import { isExternalId, issuerKindProblem } from "../config/external-id.js";
import { firstLine } from "../errors/describe.js";
import { aadstsOf, EntranceError, findEntranceError } from "../errors/entrance-error.js";
import { isProviderUnavailable } from "../errors/provider-failure.js";
import { readCookie, serializeCookie } from "../http/cookies.js";
import type { EntranceOptions, RequestInfo } from "../options.js";
import type { Runtime } from "../runtime.js";
import type { UserRecord } from "../storage/types.js";
import { b2cEmail, validateB2cIdToken } from "../tokens/b2c.js";
import { type IdTokenClaims, validateIdToken } from "../tokens/id-token.js";
import { mergeCaches } from "../tokens/merge-cache.js";
import { b2cJourney, type StartPolicy } from "./b2c.js";
import { PAGE_HEADERS, popupCompletePage } from "./pages.js";
import { bindingHash, parseTransaction } from "./transaction.js";

type SignInHook = EntranceOptions["onSignIn"];

/** What a person can do when Entra is unavailable. */
const TRY_AGAIN = " Microsoft Entra ID is unavailable for now: please sign in again in a minute.";

export async function finishSignIn(
  rt: Runtime,
  onSignIn: SignInHook,
  request: Request,
  url: URL,
  info: RequestInfo,
  /** The request's public origin, checked (`PublicOrigins.checked`). */
  origin: string,
  /** Starts another B2C policy (the password reset after "Forgot your password?"). */
  startPolicy?: StartPolicy,
): Promise<Response> {
  const state = url.searchParams.get("state");
  if (!state) throw new EntranceError("callback_invalid", "The sign-in response has no state.");
  // The browser first: only the browser that started a sign-in can spend its state, so someone
  // who learnt the state (from a log, a Referer) cannot break the real user's sign-in.
  const binding = readCookie(request.headers.get("cookie"), rt.cookies.binding);
  if (!binding) {
    throw new EntranceError(
      "browser_binding_mismatch",
      "This sign-in response belongs to a sign-in started in another browser. Please sign in again here.",
    );
  }
  const owner = bindingHash(binding);
  const taken = await rt.stored(() => rt.store.transactions.take(state, owner));
  const transaction = taken ? parseTransaction(taken) : null;
  if (!transaction || transaction.bindingHash !== owner) {
    throw new EntranceError(
      "login_transaction_missing",
      "This sign-in response is unknown, was already used, took too long, or was started in another browser. Please sign in again.",
    );
  }
  // The code is bound to the redirect URI the sign-in sent: a callback arriving on another of
  // the app's origins is not the one Entra answered, and is not redeemed there.
  const redirectUri = transaction.redirectUri ?? rt.redirectUri;
  if (redirectUri !== `${origin}${rt.config.paths.callback}`) {
    throw new EntranceError(
      "host_not_allowed",
      "This sign-in response arrived on another address than the sign-in started on. Please sign in again.",
    );
  }
  // A B2C app's transactions name their policy; one no longer configured is not ours to finish.
  const policy = rt.b2c ? (transaction.policy ?? rt.config.b2c?.signUpSignIn) : undefined;
  if (policy !== undefined && !rt.b2c?.has(policy)) {
    throw new EntranceError(
      "login_transaction_missing",
      "This sign-in was started with a B2C policy this app no longer uses. Please sign in again.",
    );
  }
  const error = url.searchParams.get("error");
  if (error) {
    const description = url.searchParams.get("error_description");
    const journey = startPolicy && (await b2cJourney(rt, transaction, description, startPolicy));
    if (journey) return journey;
    const unavailable = isProviderUnavailable(error);
    throw new EntranceError(
      unavailable ? "identity_provider_unavailable" : "identity_provider_error",
      `Microsoft Entra ID returned "${error}": ${firstLine(description)}${unavailable ? TRY_AGAIN : ""}`,
      { aadsts: aadstsOf(description) },
    );
  }
  const code = url.searchParams.get("code");
  if (!code) {
    throw new EntranceError(
      "callback_invalid",
      "The sign-in response has neither a code nor an error.",
    );
  }

  const client = policy && rt.b2c ? await rt.b2c.client(policy) : await rt.client();
  let result: AuthenticationResult;
  try {
    result = await client.acquireTokenByCode({
      code,
      redirectUri,
      scopes: transaction.redeemScopes,
      codeVerifier: transaction.codeVerifier,
      nonce: transaction.nonce,
    });
  } catch (cause) {
    if (cause instanceof EntranceError) throw cause;
    // MSAL checks the nonce itself before we see the ID token: a missing or foreign nonce is a
    // rejected ID token (a replay or an injected response), not a failed request to Entra.
    if ((cause as { errorCode?: string }).errorCode === "nonce_mismatch") {
      throw new EntranceError(
        "id_token_invalid",
        "The ID token was rejected: its nonce does not match the sign-in request.",
        { cause },
      );
    }
    const message = (cause as { errorMessage?: string }).errorMessage ?? (cause as Error).message;
    // Entra failing (5xx, server_error) or out of reach (timeout, dropped, garbled answer, which
    // MSAL reports as network_error): the code is single-use, so this is not retried.
    const unavailable = isProviderUnavailable((cause as { errorCode?: string }).errorCode);
    throw new EntranceError(
      unavailable ? "identity_provider_unavailable" : "token_request_failed",
      `Redeeming the sign-in code failed: ${firstLine(message)}${unavailable ? TRY_AGAIN : ""}`,
      { cause, aadsts: aadstsOf(message) },
    );
  }
  const claims =
    policy && rt.b2c
      ? await validateB2cIdToken(result.idToken, rt.b2c.metadata(policy), {
          clientId: rt.config.clientId,
          nonce: transaction.nonce,
          policy,
          clockSkew: rt.config.clockSkew,
        })
      : await validateIdToken(result.idToken, rt.metadata, {
          clientId: rt.config.clientId,
          nonce: transaction.nonce,
          tenantId: await rt.expectedTenant(),
          allowedTenants: rt.config.allowedTenants,
          personalAccounts: rt.config.accounts !== "work-or-school",
          clockSkew: rt.config.clockSkew,
          issuerKind: (iss, tid) => issuerKindProblem(rt.config, iss, tid),
        });

  const existing = await existingUser(rt, claims.tid, claims.oid);
  if (existing?.disabled) {
    throw new EntranceError(
      "user_disabled",
      "An administrator has disabled your account in this app.",
    );
  }
  const user = userFromClaims(claims, existing, policy !== undefined || isExternalId(rt.config));
  await decide(onSignIn, user, claims, result);

  // Session before tokens, and the earlier session ended last: a failure part-way leaves the
  // browser as it was (still signed in as before, or not at all), never half signed in.
  const previous = readCookie(request.headers.get("cookie"), rt.cookies.session);
  const sessionId = await rt.stored(async () => {
    const stored = await rt.store.users.upsert(user);
    const id = await rt.sessions.start(stored, claims.sid ?? null, {
      ip: info.ip ?? null,
      userAgent: request.headers.get("user-agent"),
    });
    try {
      // Tokens for other resources (an earlier consent) stay; the new ones win.
      const earlier = await rt.tokens.load(claims.tid, claims.oid);
      await rt.tokens.save(
        claims.tid,
        claims.oid,
        mergeCaches(earlier, client.getTokenCache().serialize()),
      );
    } catch (error) {
      await rt.sessions.end(id).catch(() => {});
      throw error;
    }
    await rt.sessions.end(previous);
    return id;
  });
  await rt.trail.record({
    type: "sign_in",
    tenantId: claims.tid,
    objectId: claims.oid,
    detail: `signed in as ${claims.preferred_username ?? claims.oid}`,
    ip: info.ip ?? null,
  });
  const cookie = serializeCookie(rt.cookies.session, sessionId, { secure: rt.secure });
  if (transaction.popup) {
    return new Response(
      popupCompletePage(transaction.returnTo, `${rt.assetPrefix}popup-complete.js`),
      { status: 200, headers: { ...PAGE_HEADERS, "set-cookie": cookie } },
    );
  }
  return new Response(null, {
    status: 302,
    headers: { location: transaction.returnTo, "set-cookie": cookie, "cache-control": "no-store" },
  });
}

async function decide(
  hook: SignInHook,
  user: UserRecord,
  claims: IdTokenClaims,
  result: AuthenticationResult,
): Promise<void> {
  if (!hook) return;
  let decision: Awaited<ReturnType<NonNullable<SignInHook>>>;
  try {
    decision = await hook({
      user,
      claims,
      tokens: {
        accessToken: result.accessToken,
        idToken: result.idToken,
        expiresOn: result.expiresOn,
        scopes: result.scopes,
      },
    });
  } catch (cause) {
    // An EntranceError the app chose to throw keeps its code; anything else is the app's own
    // failure, which must not read as Entra being down. Its message stays in the cause (logged,
    // redacted): it may quote the tokens the hook was given.
    if (cause instanceof EntranceError) throw cause;
    throw new EntranceError(
      "sign_in_hook_failed",
      "This app's onSignIn hook failed; nothing was stored. Try again later.",
      { cause },
    );
  }
  if (decision === false)
    throw new EntranceError("sign_in_refused", "This app did not accept the sign-in.");
  if (decision && typeof decision === "object")
    throw new EntranceError("sign_in_refused", decision.refuse);
}

/**
 * The stored user, or null. A row the store cannot read is logged and counted as absent, so that
 * this sign-in's upsert rewrites it instead of locking the user out.
 */
async function existingUser(
  rt: Runtime,
  tenantId: string,
  objectId: string,
): Promise<UserRecord | null> {
  try {
    return await rt.store.users.get(tenantId, objectId);
  } catch (error) {
    // An unreachable store is not a corrupt row: the sign-in fails cleanly, nothing is rewritten.
    if (findEntranceError(error)?.code === "store_unavailable") throw error;
    rt.logger.error(
      { event: "stored_user_unreadable", error },
      "entrance: the stored user could not be read; it will be rewritten",
    );
    return null;
  }
}

function userFromClaims(
  claims: IdTokenClaims,
  existing: UserRecord | null,
  /** A B2C or External ID app: every user is a customer of its tenant. */
  customers: boolean,
): UserRecord {
  const now = new Date();
  // A B2C customer: `emails` instead of `email`, and no roles or groups of Entra's.
  const mail = (customers ? b2cEmail(claims) : null) ?? claims.email ?? null;
  const overage = Boolean(
    (claims._claim_names as { groups?: unknown } | undefined)?.groups || claims.hasgroups === true,
  );
  return {
    tenantId: claims.tid,
    objectId: claims.oid,
    accountKind: customers ? "customer" : accountKindOf(claims),
    displayName: claims.name ?? null,
    username: claims.preferred_username ?? (customers ? mail : null),
    mail,
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r) => typeof r === "string") : [],
    groups: Array.isArray(claims.groups) ? claims.groups.filter((g) => typeof g === "string") : [],
    groupsOverage: overage,
    firstSignInAt: existing?.firstSignInAt ?? now,
    lastSignInAt: now,
    disabled: false,
    resolvedGroups: null,
  };
}
