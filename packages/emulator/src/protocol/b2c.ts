/**
 * Azure AD B2C's endpoints, by policy, as `{tenant}.b2clogin.com` serves them but on the
 * emulator's own origin: `/{tenant}.onmicrosoft.com/{policy}/v2.0/.well-known/openid-configuration`,
 * `…/oauth2/v2.0/authorize`, `…/token`, `…/logout` and `…/discovery/v2.0/keys`, and the pages of
 * the user flows behind the authorize endpoint. The token endpoint is in b2c-token.ts.
 */
import type { JSONWebKeySet } from "jose";
import type { AppRegistration, User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Params, Router } from "../http/router.js";
import { newGuid } from "../ids.js";
import {
  B2C_ACTIONS,
  b2cProfilePage,
  b2cResetPage,
  b2cSignInPage,
  b2cSignUpPage,
} from "../pages/b2c.js";
import { SSO_COOKIE } from "./authorize.js";
import {
  type B2cError,
  b2cDescription,
  b2cErrors,
  b2cIssuer,
  type PolicyRef,
  pendingAuthority,
  policyOfPending,
  resolvePolicy,
} from "./b2c-policy.js";
import { handleB2cToken } from "./b2c-token.js";
import { errors } from "./errors.js";
import { handleLogout } from "./logout.js";
import { type ResponseTarget, respondToApp, showErrorPage } from "./respond.js";
import type { PendingAuthorization, SsoSession } from "./state.js";

const METADATA_HEADERS = {
  "cache-control": "max-age=86400, private",
  "access-control-allow-origin": "*",
};
const RESPONSE_MODES = new Set(["query", "fragment", "form_post"]);

function policyOr404(ctx: EmulatorContext, exchange: Exchange, params: Params) {
  const policy = resolvePolicy(ctx, params.tenant ?? "", params.policy ?? "");
  if (!policy) {
    exchange.sendJson(404, {
      error: "invalid_request",
      error_description: `The tenant '${params.tenant ?? ""}' has no policy '${params.policy ?? ""}'.`,
    });
  }
  return policy;
}

/** A policy's OpenID Provider metadata, in B2C's shape. */
export function b2cDiscoveryDocument(ctx: EmulatorContext, policy: PolicyRef) {
  const path = `${policy.tenant.domain}/${policy.name.toLowerCase()}`;
  return {
    issuer: b2cIssuer(ctx, policy.tenant),
    authorization_endpoint: `${ctx.urls.pages}/${path}/oauth2/v2.0/authorize`,
    token_endpoint: `${ctx.urls.https}/${path}/oauth2/v2.0/token`,
    end_session_endpoint: `${ctx.urls.pages}/${path}/oauth2/v2.0/logout`,
    jwks_uri: `${ctx.urls.https}/${path}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    response_types_supported: [
      "code",
      "code id_token",
      "code token",
      "code id_token token",
      "id_token",
      "id_token token",
      "token",
      "token id_token",
    ],
    scopes_supported: ["openid"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
    claims_supported: [
      "name",
      "given_name",
      "family_name",
      "emails",
      "idp",
      "newUser",
      "oid",
      "tid",
      "sub",
      policy.settings.policyClaim,
      "iss",
      "iat",
      "exp",
      "aud",
      "acr",
      "nonce",
      "auth_time",
    ],
  };
}

/** The signing keys, as B2C publishes them (no Entra `issuer` template). */
function b2cJwks(ctx: EmulatorContext): JSONWebKeySet {
  return {
    keys: ctx.keys.all.map((key) => ({ ...key.publicJwk, kid: key.kid, use: "sig" })),
  };
}

export function handleB2cDiscovery(ctx: EmulatorContext) {
  return (exchange: Exchange, params: Params) => {
    const policy = policyOr404(ctx, exchange, params);
    if (policy) exchange.sendJson(200, b2cDiscoveryDocument(ctx, policy), METADATA_HEADERS);
  };
}

export function handleB2cKeys(ctx: EmulatorContext) {
  return (exchange: Exchange, params: Params) => {
    if (policyOr404(ctx, exchange, params)) exchange.sendJson(200, b2cJwks(ctx), METADATA_HEADERS);
  };
}

/** GET or POST /{tenant}/{policy}/oauth2/v2.0/authorize */
export function handleB2cAuthorize(ctx: EmulatorContext) {
  return async (exchange: Exchange, params: Params) => {
    const query = await exchange.params();
    const policy = resolvePolicy(ctx, params.tenant ?? "", params.policy ?? "");
    if (!policy) return showErrorPage(ctx, exchange, errors.tenantNotFound(params.tenant ?? ""));
    const clientId = query.get("client_id")?.toLowerCase();
    if (!clientId) return showErrorPage(ctx, exchange, errors.missingParameter("client_id"));
    const located = ctx.directory.app(clientId);
    if (!located || located.tenant.id !== policy.tenant.id) {
      return showErrorPage(ctx, exchange, errors.appNotFound(clientId, policy.tenant.domain));
    }
    const app = located.value;
    const redirectUri = query.get("redirect_uri");
    if (!redirectUri || !app.redirectUris.includes(redirectUri)) {
      return showErrorPage(ctx, exchange, errors.redirectMismatch(redirectUri ?? "", clientId));
    }
    const mode = query.get("response_mode") ?? "query";
    const target: ResponseTarget = {
      redirectUri,
      responseMode: RESPONSE_MODES.has(mode) ? (mode as ResponseTarget["responseMode"]) : "query",
      state: query.get("state") ?? undefined,
    };
    const fail = (error: { error: string; description: string }) =>
      respondToApp(exchange, target, { error: error.error, error_description: error.description });
    if (query.get("response_type") !== "code") {
      return fail({ error: "unsupported_response_type", description: "Use response_type=code." });
    }
    const scopes = (query.get("scope") ?? "").split(/\s+/).filter(Boolean);
    const unsupported = scopes.find((scope) => !isB2cScope(scope, app));
    if (unsupported) {
      const error = b2cErrors.scopeNotSupported(unsupported);
      return fail({ error: error.error, description: b2cDescription(ctx, exchange, error) });
    }
    const challenge = query.get("code_challenge") ?? undefined;
    const method = query.get("code_challenge_method") ?? (challenge ? "plain" : undefined);
    if (challenge && method !== "S256" && method !== "plain") {
      return fail({ error: "invalid_request", description: "Use code_challenge_method=S256." });
    }
    const pending = ctx.state.addPending({
      authority: pendingAuthority(policy),
      clientId: app.clientId,
      redirectUri,
      responseMode: target.responseMode,
      scopes,
      state: target.state,
      nonce: query.get("nonce") ?? undefined,
      prompt: query.get("prompt") ?? undefined,
      loginHint: query.get("login_hint") ?? undefined,
      codeChallenge: challenge,
      codeChallengeMethod: challenge ? (method as "S256" | "plain") : undefined,
      claims: undefined,
    });
    const session = ctx.state.session(exchange.cookie(SSO_COOKIE));
    const signedIn =
      session && session.tenantId === policy.tenant.id
        ? ctx.directory.user(session.userId)
        : undefined;
    const view = { requestId: pending.id, app, tenant: policy.tenant };
    if (policy.type === "passwordReset") return exchange.sendHtml(200, b2cResetPage(view));
    if (policy.type === "profileEdit") {
      if (signedIn) {
        pending.userId = signedIn.value.id;
        return exchange.sendHtml(
          200,
          b2cProfilePage({ ...view, displayName: signedIn.value.displayName }),
        );
      }
      return exchange.sendHtml(200, b2cSignInPage({ ...view, signUp: false }));
    }
    // Single sign-on across the tenant's policies, unless the app asks for the sign-in again.
    if (signedIn && session && pending.prompt !== "login") {
      return issueB2cCode(ctx, exchange, pending, policy, signedIn.value, session, false);
    }
    return exchange.sendHtml(
      200,
      b2cSignInPage({ ...view, email: pending.loginHint, signUp: true }),
    );
  };
}

/** Scopes B2C accepts here: OpenID Connect's and the app's own client id (a token for itself). */
function isB2cScope(scope: string, app: AppRegistration): boolean {
  return ["openid", "offline_access", "profile", "email"].includes(scope) || scope === app.clientId;
}

/** The pending request a form names, with its policy and app; an error page otherwise. */
function pendingOf(ctx: EmulatorContext, exchange: Exchange, id: string) {
  const pending = ctx.state.pending(id);
  const policy = pending ? policyOfPending(ctx, pending.authority) : undefined;
  const app = pending ? ctx.directory.app(pending.clientId)?.value : undefined;
  if (!pending || !policy || !app) {
    showErrorPage(
      ctx,
      exchange,
      errors.malformed("The sign-in request has expired or was already used. Start again."),
    );
    return undefined;
  }
  return { pending, policy, app, view: { requestId: pending.id, app, tenant: policy.tenant } };
}

/** A local account of the tenant by its e-mail address. */
function accountByEmail(policy: PolicyRef, email: string): User | undefined {
  const wanted = email.trim().toLowerCase();
  return policy.tenant.users.find((u) => u.mail?.toLowerCase() === wanted && u.password);
}

/** POST /_emulator/b2c/sign-in: e-mail and password. */
export function handleB2cSignIn(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const found = pendingOf(ctx, exchange, form.get("request") ?? "");
    if (!found) return;
    const { pending, policy, view } = found;
    const email = form.get("email") ?? "";
    const user = accountByEmail(policy, email);
    if (!user || user.password !== form.get("password")) {
      const error = user ? "Your password is incorrect." : "We can't seem to find your account.";
      return exchange.sendHtml(
        200,
        b2cSignInPage({ ...view, email, error, signUp: policy.type === "signUpSignIn" }),
      );
    }
    if (!user.accountEnabled) return showErrorPage(ctx, exchange, errors.userDisabled());
    const session = startSession(ctx, exchange, user, policy);
    if (policy.type === "profileEdit") {
      pending.userId = user.id;
      return exchange.sendHtml(200, b2cProfilePage({ ...view, displayName: user.displayName }));
    }
    return issueB2cCode(ctx, exchange, pending, policy, user, session, false);
  };
}

/** GET /_emulator/b2c/sign-up shows the form; POST creates the local account. */
export function handleB2cSignUp(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const found = pendingOf(ctx, exchange, form.get("request") ?? "");
    if (!found) return;
    const { pending, policy, view } = found;
    if (exchange.method !== "POST") return exchange.sendHtml(200, b2cSignUpPage(view));
    const email = (form.get("email") ?? "").trim();
    const name = (form.get("displayName") ?? "").trim();
    const password = form.get("password") ?? "";
    const again = (error: string) =>
      exchange.sendHtml(200, b2cSignUpPage({ ...view, email, name, error }));
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
      return again("Please enter a valid e-mail address.");
    if (!name) return again("Please enter a display name.");
    if (password.length < 8) return again("The password must have at least 8 characters.");
    if (accountByEmail(policy, email)) {
      return again("A user with the specified ID already exists. Please choose a different one.");
    }
    const id = newGuid();
    const user = ctx.directory.putUser(policy.tenant.id, {
      id,
      userPrincipalName: `${id}@${policy.tenant.domain}`,
      displayName: name,
      mail: email,
      password,
      photo: false,
    });
    const session = startSession(ctx, exchange, user, policy);
    return issueB2cCode(ctx, exchange, pending, policy, user, session, true);
  };
}

/** POST /_emulator/b2c/reset: the password-reset policy sets a new password and signs in. */
export function handleB2cReset(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const found = pendingOf(ctx, exchange, form.get("request") ?? "");
    if (!found) return;
    const { pending, policy, view } = found;
    const email = form.get("email") ?? "";
    const password = form.get("password") ?? "";
    const user = policy.type === "passwordReset" ? accountByEmail(policy, email) : undefined;
    if (!user) {
      const error = "An account could not be found for the provided user ID.";
      return exchange.sendHtml(200, b2cResetPage({ ...view, email, error }));
    }
    if (password.length < 8) {
      const error = "The password must have at least 8 characters.";
      return exchange.sendHtml(200, b2cResetPage({ ...view, email, error }));
    }
    const updated = ctx.directory.putUser(policy.tenant.id, { ...user, password });
    const session = startSession(ctx, exchange, updated, policy);
    return issueB2cCode(ctx, exchange, pending, policy, updated, session, false);
  };
}

/** POST /_emulator/b2c/profile: the profile-edit policy changes the display name. */
export function handleB2cProfile(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const found = pendingOf(ctx, exchange, form.get("request") ?? "");
    if (!found) return;
    const { pending, policy, view } = found;
    const session = ctx.state.session(exchange.cookie(SSO_COOKIE));
    const user = session ? ctx.directory.user(session.userId) : undefined;
    if (policy.type !== "profileEdit" || !session || !user || pending.userId !== user.value.id) {
      return showErrorPage(ctx, exchange, errors.malformed("Sign in before editing the profile."));
    }
    const displayName = (form.get("displayName") ?? "").trim();
    if (!displayName || displayName.length > 256) {
      const error = "Please enter a display name.";
      return exchange.sendHtml(200, b2cProfilePage({ ...view, displayName, error }));
    }
    const updated = ctx.directory.putUser(policy.tenant.id, { ...user.value, displayName });
    return issueB2cCode(ctx, exchange, pending, policy, updated, session, false);
  };
}

/** GET /_emulator/b2c/forgot: "Forgot your password?" ends the sign-in with AADB2C90118. */
export function handleB2cForgot(ctx: EmulatorContext) {
  return endWith(ctx, b2cErrors.forgotPassword);
}

/** GET /_emulator/b2c/cancel: the person cancelled; AADB2C90091 goes back to the app. */
export function handleB2cCancel(ctx: EmulatorContext) {
  return endWith(ctx, b2cErrors.cancelled);
}

function endWith(ctx: EmulatorContext, make: () => B2cError) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const found = pendingOf(ctx, exchange, form.get("request") ?? "");
    if (!found) return;
    const { pending } = found;
    ctx.state.finishPending(pending.id);
    const error = make();
    respondToApp(exchange, targetOf(pending), {
      error: error.error,
      error_description: b2cDescription(ctx, exchange, error),
    });
  };
}

function targetOf(pending: PendingAuthorization): ResponseTarget {
  return {
    redirectUri: pending.redirectUri,
    responseMode: pending.responseMode,
    state: pending.state,
  };
}

function startSession(
  ctx: EmulatorContext,
  exchange: Exchange,
  user: User,
  policy: PolicyRef,
): SsoSession {
  const cookie = exchange.cookie(SSO_COOKIE);
  if (cookie) ctx.state.endSession(cookie);
  const started = ctx.state.startSession(user.id, policy.tenant.id);
  exchange.res.setHeader(
    "set-cookie",
    `${SSO_COOKIE}=${started.cookie}; Path=/; HttpOnly; SameSite=Lax`,
  );
  return started.session;
}

function issueB2cCode(
  ctx: EmulatorContext,
  exchange: Exchange,
  pending: PendingAuthorization,
  policy: PolicyRef,
  user: User,
  session: SsoSession,
  newUser: boolean,
): void {
  ctx.state.finishPending(pending.id);
  session.apps.add(pending.clientId);
  const code = ctx.state.issueCode({
    clientId: pending.clientId,
    redirectUri: pending.redirectUri,
    userId: user.id,
    tenantId: policy.tenant.id,
    scopes: pending.scopes,
    nonce: pending.nonce,
    codeChallenge: pending.codeChallenge,
    codeChallengeMethod: pending.codeChallengeMethod,
    claims: undefined,
    sid: session.sid,
    authTime: session.authTime,
    b2c: { policy: policy.name, newUser },
  });
  respondToApp(exchange, targetOf(pending), { code });
}

/** B2C's endpoints by policy, and the user flows' pages. */
export function registerB2cRoutes(router: Router, ctx: EmulatorContext): void {
  const GET_POST = ["GET", "POST"] as const;
  router
    .on("GET", "/:tenant/:policy/v2.0/.well-known/openid-configuration", handleB2cDiscovery(ctx), {
      endpoint: "discovery",
    })
    .on("GET", "/:tenant/:policy/discovery/v2.0/keys", handleB2cKeys(ctx), { endpoint: "keys" })
    .on(GET_POST, "/:tenant/:policy/oauth2/v2.0/authorize", handleB2cAuthorize(ctx), {
      endpoint: "authorize",
    })
    .on("POST", "/:tenant/:policy/oauth2/v2.0/token", handleB2cToken(ctx), {
      endpoint: "token",
      httpsOnly: true,
    })
    .on(GET_POST, "/:tenant/:policy/oauth2/v2.0/logout", handleLogout(ctx), { endpoint: "logout" })
    .on("POST", B2C_ACTIONS.signIn, handleB2cSignIn(ctx), { endpoint: "sign-in" })
    .on(GET_POST, B2C_ACTIONS.signUp, handleB2cSignUp(ctx))
    .on("POST", B2C_ACTIONS.reset, handleB2cReset(ctx))
    .on("POST", B2C_ACTIONS.profile, handleB2cProfile(ctx))
    .on("GET", B2C_ACTIONS.forgot, handleB2cForgot(ctx))
    .on("GET", B2C_ACTIONS.cancel, handleB2cCancel(ctx));
}
