import type { AppRegistration, Tenant, User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Fault } from "../control/faults.js";
import type { Located } from "../directory.js";
import type { Exchange } from "../http/exchange.js";
import { playFault } from "../http/fault-response.js";
import type { Params } from "../http/router.js";
import { consentPage, signInPage } from "../pages/views.js";
import { showEmailOtpSignIn, usesEmailOtp } from "./email-otp.js";
import { EntraError, errors, faultError, sendTokenError } from "./errors.js";
import { externalTenantOf, showSignUp, signUpHref } from "./external-id.js";
import { type ResponseTarget, respondToApp, respondWithError, showErrorPage } from "./respond.js";
import { missingConsent, parseScopes, type Scope, splitScopes } from "./scopes.js";
import type { PendingAuthorization, SsoSession } from "./state.js";
import { type Authority, admits, resolveAuthority } from "./tenants.js";

/** The emulator's browser session cookie. Lax: it must come along on top-level navigations. */
export const SSO_COOKIE = "entrance_emulator_session";

const SIGN_IN_ACTION = "/_emulator/sign-in";
const CONSENT_ACTION = "/_emulator/consent";
const PROMPTS = new Set(["login", "select_account", "consent", "none", "create"]);
const RESPONSE_MODES = new Set(["query", "fragment", "form_post"]);

/** GET or POST /{tenant}/oauth2/v2.0/authorize */
export function handleAuthorize(ctx: EmulatorContext) {
  return async (exchange: Exchange, params: Params, routed?: Fault) => {
    const query = await exchange.params();
    const segment = params.tenant ?? "";
    const authority = resolveAuthority(ctx, segment);
    if (!authority) return showErrorPage(ctx, exchange, errors.tenantNotFound(segment));

    // Until the app and its redirect URI are known, errors stay on the emulator's own page.
    const clientId = query.get("client_id")?.toLowerCase();
    if (!clientId) return showErrorPage(ctx, exchange, errors.missingParameter("client_id"));
    const located = ctx.directory.app(clientId);
    if (!located) return showErrorPage(ctx, exchange, errors.appNotFound(clientId, segment));
    const app = located.value;
    const redirectUri = query.get("redirect_uri");
    if (!redirectUri) return showErrorPage(ctx, exchange, errors.missingParameter("redirect_uri"));
    if (!app.redirectUris.includes(redirectUri)) {
      return showErrorPage(ctx, exchange, errors.redirectMismatch(redirectUri, app.clientId));
    }

    const mode = query.get("response_mode") ?? "query";
    const target: ResponseTarget = {
      redirectUri,
      responseMode: RESPONSE_MODES.has(mode) ? (mode as ResponseTarget["responseMode"]) : "query",
      state: query.get("state") ?? undefined,
    };
    const fail = (error: EntraError) => respondWithError(ctx, exchange, target, error);
    // A queued fault for this app (or an `error` fault for any): an error goes back to the app,
    // as Entra sends a refusal (access_denied, login_required, …) to the redirect URI.
    const fault = routed ?? ctx.faults.take("authorize", app.clientId);
    if (fault?.kind === "error") return fail(faultError(fault));
    const played = (x: Exchange, f: Parameters<typeof faultError>[0]) =>
      sendTokenError(ctx, x, faultError(f));
    if (fault && (await playFault(fault, exchange, played))) return;

    const appError = checkAppAuthority(authority, located.tenant, app);
    if (appError) return fail(appError);
    const responseType = query.get("response_type") ?? "";
    if (!responseType) return fail(errors.missingParameter("response_type"));
    if (responseType !== "code") return fail(errors.unsupportedResponseType(responseType));
    const scopeList = splitScopes(query.get("scope"));
    if (scopeList.length === 0) return fail(errors.missingParameter("scope"));
    const scopes = parseScopes(ctx, scopeList, segment);
    if (scopes instanceof EntraError) return fail(scopes);
    const prompt = query.get("prompt") ?? undefined;
    // `create` (sign-up) exists only where customers sign themselves up: External ID tenants.
    const external = externalTenantOf(authority);
    if (prompt !== undefined && (!PROMPTS.has(prompt) || (prompt === "create" && !external))) {
      return fail(errors.malformed(`Invalid value for the 'prompt' parameter: '${prompt}'.`));
    }
    const pkce = readPkce(query);
    if (pkce instanceof EntraError) return fail(pkce);
    const claims = query.get("claims") ?? undefined;
    if (claims !== undefined && !isJsonObject(claims)) {
      return fail(errors.malformed("The 'claims' parameter is not a JSON object."));
    }

    const pending = ctx.state.addPending({
      authority: authority.segment,
      clientId: app.clientId,
      redirectUri,
      responseMode: target.responseMode,
      scopes: scopes.map((s) => s.value),
      state: target.state,
      nonce: query.get("nonce") ?? undefined,
      prompt,
      loginHint: query.get("login_hint") ?? undefined,
      codeChallenge: pkce?.challenge,
      codeChallengeMethod: pkce?.method,
      claims,
    });

    if (prompt === "create" && external) return showSignUp(exchange, external, pending);

    const session = ctx.state.session(exchange.cookie(SSO_COOKIE));
    const sessionUser = session ? ctx.directory.user(session.userId) : undefined;
    const reusable =
      session &&
      sessionUser &&
      admits(authority, sessionUser.tenant) &&
      matchesHint(sessionUser.value, pending.loginHint)
        ? sessionUser
        : undefined;

    if (prompt === "none") {
      if (!reusable) {
        ctx.state.finishPending(pending.id);
        return fail(errors.loginRequired());
      }
      return continueAs(ctx, exchange, pending, reusable, scopes);
    }
    if (reusable && prompt !== "login" && prompt !== "select_account") {
      return continueAs(ctx, exchange, pending, reusable, scopes);
    }
    // A tenant that signs customers in with e-mail one-time passcodes lists no accounts.
    if (external && usesEmailOtp(external)) {
      return showEmailOtpSignIn(ctx, exchange, external, pending);
    }
    return showAccounts(ctx, exchange, authority, app, pending);
  };
}

/** POST /_emulator/sign-in: the person picked an account on the sign-in page. */
export function handleSignIn(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const pending = ctx.state.pending(form.get("request") ?? "");
    if (!pending) return showErrorPage(ctx, exchange, expiredRequest());
    const authority = resolveAuthority(ctx, pending.authority);
    const user = ctx.directory.user(form.get("user") ?? "");
    if (!authority || !user || !admits(authority, user.tenant)) {
      return showErrorPage(
        ctx,
        exchange,
        errors.userNotInTenant(form.get("user") ?? "", pending.authority),
      );
    }
    // Picking an account is no way into a tenant whose customers must enter a one-time code.
    if (usesEmailOtp(user.tenant)) {
      return showErrorPage(
        ctx,
        exchange,
        errors.malformed("This tenant signs customers in with a one-time code sent by e-mail."),
      );
    }
    const scopes = parseScopes(ctx, pending.scopes, pending.authority);
    if (scopes instanceof EntraError) return showErrorPage(ctx, exchange, scopes);
    return continueAs(ctx, exchange, pending, user, scopes, { fresh: true });
  };
}

/** POST /_emulator/consent: the person accepted or declined the requested permissions. */
export function handleConsent(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const pending = ctx.state.pending(form.get("request") ?? "");
    const session = ctx.state.session(exchange.cookie(SSO_COOKIE));
    if (!pending?.userId || !session || session.userId !== pending.userId) {
      return showErrorPage(ctx, exchange, expiredRequest());
    }
    const target = targetOf(pending);
    if (form.get("decision") !== "accept") {
      ctx.state.finishPending(pending.id);
      return respondWithError(
        ctx,
        exchange,
        target,
        new EntraError(65004, "access_denied", "User declined to consent to access the app."),
      );
    }
    const scopes = parseScopes(ctx, pending.scopes, pending.authority);
    if (scopes instanceof EntraError) return showErrorPage(ctx, exchange, scopes);
    ctx.state.grant(
      pending.userId,
      pending.clientId,
      scopes.filter((s) => !s.isDefault).map((s) => s.value),
    );
    return issueCode(ctx, exchange, pending, session);
  };
}

function checkAppAuthority(
  authority: Authority,
  home: Tenant,
  app: AppRegistration,
): EntraError | undefined {
  if (authority.kind === "alias") {
    return app.multiTenant ? undefined : errors.notMultiTenant(app.clientId);
  }
  if (authority.tenant.id !== home.id && !app.multiTenant) {
    return errors.appNotFound(app.clientId, authority.tenant.id);
  }
  return undefined;
}

function readPkce(query: URLSearchParams) {
  const challenge = query.get("code_challenge");
  const method = query.get("code_challenge_method") ?? (challenge ? "plain" : undefined);
  if (!challenge) {
    return method ? errors.missingParameter("code_challenge") : undefined;
  }
  if (method !== "S256" && method !== "plain") {
    return errors.malformed(`Invalid code_challenge_method '${method}'; use S256.`);
  }
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) {
    return errors.malformed("The code_challenge is not a valid PKCE challenge.");
  }
  return { challenge, method } as const;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function matchesHint(user: User, hint: string | undefined): boolean {
  if (!hint) return true;
  const lower = hint.toLowerCase();
  return user.userPrincipalName.toLowerCase() === lower || user.mail?.toLowerCase() === lower;
}

function targetOf(pending: PendingAuthorization): ResponseTarget {
  return {
    redirectUri: pending.redirectUri,
    responseMode: pending.responseMode,
    state: pending.state,
  };
}

function expiredRequest(): EntraError {
  return errors.malformed(
    "The sign-in request has expired or was already used. Start signing in again.",
  );
}

function showAccounts(
  ctx: EmulatorContext,
  exchange: Exchange,
  authority: Authority,
  app: AppRegistration,
  pending: PendingAuthorization,
): void {
  const accounts = ctx.directory.tenants
    .filter((tenant) => admits(authority, tenant))
    .flatMap((tenant) =>
      tenant.users.map((user) => ({
        user,
        tenant,
        groupCount: user.groups.length,
        roles: user.appRoles[app.clientId] ?? [],
      })),
    );
  exchange.sendHtml(
    200,
    signInPage({
      requestId: pending.id,
      app,
      accounts,
      hint: pending.loginHint,
      action: SIGN_IN_ACTION,
      signUpHref: signUpHref(authority, pending),
    }),
  );
}

/** Signs the chosen user in (or keeps the session), then asks for consent or issues the code. */
export function continueAs(
  ctx: EmulatorContext,
  exchange: Exchange,
  pending: PendingAuthorization,
  located: Located<User>,
  scopes: readonly Scope[],
  options: { fresh?: boolean } = {},
): void {
  const user = located.value;
  if (!user.accountEnabled) {
    ctx.state.finishPending(pending.id);
    showErrorPage(ctx, exchange, errors.userDisabled());
    return;
  }
  const cookie = exchange.cookie(SSO_COOKIE);
  let session = ctx.state.session(cookie);
  if (options.fresh || !session || session.userId !== user.id) {
    if (cookie) ctx.state.endSession(cookie);
    const started = ctx.state.startSession(user.id, located.tenant.id);
    session = started.session;
    exchange.res.setHeader(
      "set-cookie",
      `${SSO_COOKIE}=${started.cookie}; Path=/; HttpOnly; SameSite=Lax`,
    );
  }
  pending.userId = user.id;

  const app = ctx.directory.app(pending.clientId);
  if (!app) {
    showErrorPage(ctx, exchange, expiredRequest());
    return;
  }
  const missing = missingConsent(ctx, user.id, app.value, scopes);
  const askConsent = missing.length > 0 || pending.prompt === "consent";
  if (askConsent && pending.prompt === "none") {
    ctx.state.finishPending(pending.id);
    respondWithError(
      ctx,
      exchange,
      targetOf(pending),
      new EntraError(
        65001,
        "consent_required",
        errors.consentRequired(
          app.value.clientId,
          missing.map((s) => s.value),
        ).description,
      ),
    );
    return;
  }
  if (askConsent) {
    const shown = (missing.length ? missing : scopes).filter((s) => !s.isDefault);
    exchange.sendHtml(
      200,
      consentPage({
        requestId: pending.id,
        app: app.value,
        publisherTenant: app.tenant,
        user,
        scopes: shown.map((s) => ({ value: s.value, description: describeScope(s) })),
        action: CONSENT_ACTION,
      }),
    );
    return;
  }
  issueCode(ctx, exchange, pending, session);
}

function issueCode(
  ctx: EmulatorContext,
  exchange: Exchange,
  pending: PendingAuthorization,
  session: SsoSession,
): void {
  ctx.state.finishPending(pending.id);
  const user = ctx.directory.user(session.userId);
  if (!user) {
    showErrorPage(ctx, exchange, expiredRequest());
    return;
  }
  session.apps.add(pending.clientId);
  const code = ctx.state.issueCode({
    clientId: pending.clientId,
    redirectUri: pending.redirectUri,
    userId: user.value.id,
    tenantId: user.tenant.id,
    scopes: pending.scopes,
    nonce: pending.nonce,
    codeChallenge: pending.codeChallenge,
    codeChallengeMethod: pending.codeChallengeMethod,
    claims: pending.claims,
    sid: session.sid,
    authTime: session.authTime,
  });
  respondToApp(exchange, targetOf(pending), { code, session_state: session.sid });
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: "Sign you in",
  profile: "View your basic profile",
  email: "View your email address",
  offline_access: "Maintain access to data you have given it access to",
  "User.Read": "Sign you in and read your profile",
  "User.ReadBasic.All": "Read all users' basic profiles",
  "User.Read.All": "Read all users' full profiles",
  "GroupMember.Read.All": "Read group memberships",
  "Directory.Read.All": "Read directory data",
  "Mail.Read": "Read your mail",
  "Mail.ReadBasic": "Read basic mail properties",
  "Mail.ReadWrite": "Read and write your mail",
  "Calendars.ReadWrite": "Read and write your calendars",
  "Calendars.Read": "Read your calendars",
};

function describeScope(scope: Scope): string {
  if (typeof scope.resource === "object") {
    return `Access ${scope.resource.displayName} (${scope.value.split("/").pop() ?? scope.value})`;
  }
  return DESCRIPTIONS[scope.value] ?? scope.value;
}
