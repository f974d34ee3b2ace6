/**
 * Entra External ID (external tenants, for an app's customers): self-service sign-up through the
 * tenant's user flow, and the claims customers' tokens carry.
 *
 * Sign-up (Microsoft Learn, "Create self-service sign-up user flows for apps in external
 * tenants"): the customer gives an e-mail address, a password and a display name, proves the
 * address with a one-time code sent to it, and is then signed in to the app that asked. Where the
 * user flow signs in with an e-mail one-time passcode (protocol/email-otp.ts), no password. The sign-in
 * page links to it ("No account? Create one"), and `prompt=create` opens it directly. The emulator
 * sends no mail: the code is shown on the code page, marked as the emulator's, and given by the
 * control API (`GET /_emulator/control/sign-up-codes/{email}`) to tests driving HTTP.
 *
 * Tokens: customers are not in groups an app sees (no `groups` claim), and `email` is sent only
 * when the app asks for it as an optional claim (`emailClaim` on the tenant). `preferred_username`
 * is the address the customer signs in with.
 */
import type { JWTPayload } from "jose";
import type { Tenant, User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Router } from "../http/router.js";
import { newGuid } from "../ids.js";
import { signUpCodePage, signUpPage } from "../pages/sign-up.js";
import { continueAs } from "./authorize.js";
import { EntraError, errors } from "./errors.js";
import { OneTimeCodes, type SentCode } from "./one-time-codes.js";
import { showErrorPage } from "./respond.js";
import { parseScopes } from "./scopes.js";
import type { PendingAuthorization } from "./state.js";
import { type Authority, resolveAuthority } from "./tenants.js";

/** Where the sign-in page's "Create one" link and the sign-up forms go. */
const SIGN_UP_PATH = "/_emulator/sign-up";
const SIGN_UP_CODE_PATH = "/_emulator/sign-up/code";

/** A sign-up waiting for its code (expiry and attempts: protocol/one-time-codes.ts). */
interface WaitingSignUp {
  readonly requestId: string;
  readonly tenantId: string;
  readonly email: string;
  readonly displayName: string;
}

const waiting = new WeakMap<EmulatorContext, OneTimeCodes<WaitingSignUp>>();

function waitingOf(ctx: EmulatorContext): OneTimeCodes<WaitingSignUp> {
  let codes = waiting.get(ctx);
  if (!codes) {
    codes = new OneTimeCodes(ctx.clock);
    waiting.set(ctx, codes);
  }
  return codes;
}

/** The external tenant an authority names, or undefined (workforce tenants, aliases). */
export function externalTenantOf(authority: Authority): Tenant | undefined {
  return authority.kind === "tenant" && authority.tenant.kind === "external"
    ? authority.tenant
    : undefined;
}

/** The link from the sign-in page to sign-up, for an external tenant's authority. */
export function signUpHref(
  authority: Authority,
  pending: PendingAuthorization,
): string | undefined {
  return externalTenantOf(authority)
    ? `${SIGN_UP_PATH}?request=${encodeURIComponent(pending.id)}`
    : undefined;
}

/** The one-time code most recently sent to `email` and not yet used (for the control API). */
export function signUpCode(ctx: EmulatorContext, email: string): string | undefined {
  return waitingOf(ctx).latest(email);
}

/**
 * Shapes a customer's token claims: no groups, `email` only when the tenant sends it, the sign-in
 * address as `preferred_username`. Changes `claims` in place; workforce tenants are left alone.
 */
export function shapeCustomerClaims(
  tenant: Tenant,
  user: User,
  claims: JWTPayload,
  scopes: ReadonlySet<string>,
): void {
  if (tenant.kind !== "external") return;
  delete claims.groups;
  delete claims._claim_names;
  delete claims._claim_sources;
  delete claims.email;
  if (user.mail) claims.preferred_username = user.mail;
  if (tenant.emailClaim && scopes.has("email") && user.mail) claims.email = user.mail;
}

/** Shows the sign-up form for a pending authorization of an external tenant. */
export function showSignUp(
  exchange: Exchange,
  tenant: Tenant,
  pending: PendingAuthorization,
  problem?: string,
  values: { email?: string; displayName?: string } = {},
): void {
  exchange.sendHtml(
    problem ? 400 : 200,
    signUpPage({
      requestId: pending.id,
      tenant,
      action: SIGN_UP_PATH,
      // "Email one-time passcode" accounts have no password (protocol/email-otp.ts).
      askPassword: tenant.signInMethod !== "emailOtp",
      problem,
      ...values,
    }),
  );
}

/** Registers the sign-up pages. */
export function registerExternalIdRoutes(router: Router, ctx: EmulatorContext): void {
  router
    .on("GET", SIGN_UP_PATH, handleSignUpPage(ctx))
    .on("POST", SIGN_UP_PATH, handleSignUpDetails(ctx))
    .on("POST", SIGN_UP_CODE_PATH, handleSignUpCode(ctx));
}

function pendingExternal(ctx: EmulatorContext, requestId: string) {
  const pending = ctx.state.pending(requestId);
  const authority = pending ? resolveAuthority(ctx, pending.authority) : undefined;
  const tenant = authority ? externalTenantOf(authority) : undefined;
  return pending && tenant ? { pending, tenant } : undefined;
}

function expired(): EntraError {
  return errors.malformed("The sign-up request has expired or was already used. Start again.");
}

/** GET /_emulator/sign-up?request=…: the form, from the sign-in page's link. */
function handleSignUpPage(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const found = pendingExternal(ctx, (await exchange.params()).get("request") ?? "");
    if (!found) return showErrorPage(ctx, exchange, expired());
    showSignUp(exchange, found.tenant, found.pending);
  };
}

/** POST /_emulator/sign-up: e-mail, password and name given; a code is "sent". */
function handleSignUpDetails(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const found = pendingExternal(ctx, form.get("request") ?? "");
    if (!found) return showErrorPage(ctx, exchange, expired());
    const { pending, tenant } = found;
    const email = (form.get("email") ?? "").trim().toLowerCase();
    const displayName = (form.get("displayName") ?? "").trim();
    const password = form.get("password") ?? "";
    const again = (problem: string) =>
      showSignUp(exchange, tenant, pending, problem, { email, displayName });
    if (!/^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/.test(email) || email.length > 254) {
      return again("Enter a valid e-mail address.");
    }
    if (tenant.users.some((user) => user.mail?.toLowerCase() === email)) {
      return again("An account with this e-mail address already exists. Sign in instead.");
    }
    const passwordProblem =
      tenant.signInMethod === "emailOtp" ? undefined : checkPassword(password);
    if (passwordProblem) return again(passwordProblem);
    if (!displayName || displayName.length > 256) return again("Enter your name.");

    const entry: WaitingSignUp = { requestId: pending.id, tenantId: tenant.id, email, displayName };
    exchange.sendHtml(200, codePage(entry, waitingOf(ctx).send(entry)));
  };
}

/** POST /_emulator/sign-up/code: the one-time code; right, the customer exists and signs in. */
function handleSignUpCode(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const checked = waitingOf(ctx).check(form.get("signup") ?? "", form.get("code") ?? "");
    if (checked.outcome === "unknown") return showErrorPage(ctx, exchange, expired());
    const entry = checked.holder;
    const found = pendingExternal(ctx, entry.requestId);
    if (!found || found.tenant.id !== entry.tenantId) {
      return showErrorPage(ctx, exchange, expired());
    }
    if (checked.outcome === "exhausted") {
      return showSignUp(
        exchange,
        found.tenant,
        found.pending,
        "Too many wrong codes. Start again.",
        {
          email: entry.email,
          displayName: entry.displayName,
        },
      );
    }
    if (checked.outcome === "wrong") {
      exchange.sendHtml(
        400,
        codePage(entry, checked.sent, "That code is not right. Check the e-mail and try again."),
      );
      return;
    }
    if (found.tenant.users.some((user) => user.mail?.toLowerCase() === entry.email)) {
      return showSignUp(
        exchange,
        found.tenant,
        found.pending,
        "An account with this e-mail address already exists. Sign in instead.",
      );
    }
    const id = newGuid();
    ctx.directory.putUser(found.tenant.id, {
      id,
      userPrincipalName: `${id}@${found.tenant.domain}`,
      displayName: entry.displayName,
      mail: entry.email,
      photo: false,
    });
    const user = ctx.directory.user(id);
    const scopes = parseScopes(ctx, found.pending.scopes, found.pending.authority);
    if (!user || scopes instanceof EntraError) return showErrorPage(ctx, exchange, expired());
    continueAs(ctx, exchange, found.pending, user, scopes, { fresh: true });
  };
}

function codePage(entry: WaitingSignUp, sent: SentCode, problem?: string): string {
  return signUpCodePage({
    signUpId: sent.id,
    email: entry.email,
    code: sent.code,
    action: SIGN_UP_CODE_PATH,
    problem,
  });
}

/**
 * Entra's password rule for cloud accounts: 8 to 256 characters, three of lower case, upper case,
 * digits and symbols. The emulator checks it and keeps nothing of the password: its sign-in page
 * asks none.
 */
function checkPassword(password: string): string | undefined {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password));
  if (password.length < 8 || password.length > 256 || classes.length < 3) {
    return "Use 8 to 256 characters with three of these: lower case, upper case, digits, symbols.";
  }
  return undefined;
}
