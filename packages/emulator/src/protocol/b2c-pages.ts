/**
 * The pages behind a B2C policy's authorize endpoint: sign-in (e-mail and password), sign-up,
 * password reset, profile edit, and the links that end a flow without a code ("Forgot your
 * password?" with AADB2C90118, Cancel with AADB2C90091). Each form names its pending request.
 */
import type { User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import { newGuid } from "../ids.js";
import { b2cProfilePage, b2cResetPage, b2cSignInPage, b2cSignUpPage } from "../pages/b2c.js";
import { SSO_COOKIE } from "./authorize.js";
import {
  type B2cError,
  b2cDescription,
  b2cErrors,
  type PolicyRef,
  policyOfPending,
} from "./b2c-policy.js";
import { errors } from "./errors.js";
import { type ResponseTarget, respondToApp, showErrorPage } from "./respond.js";
import type { PendingAuthorization, SsoSession } from "./state.js";

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

/** Ends the pending request with a code for `user`, back to the app's redirect URI. */
export function issueB2cCode(
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
