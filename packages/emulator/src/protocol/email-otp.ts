/**
 * Entra External ID's "Email one-time passcode" sign-in method (Microsoft Learn, "Identity
 * providers for external tenants"): a local account that has no password. The customer gives
 * their e-mail address, a temporary code is sent to it, and entering the code signs them in; the
 * sign-up of such a tenant asks no password either (protocol/external-id.ts).
 *
 * A tenant chooses it with `signInMethod: "emailOtp"`. Its sign-in page then asks for an address
 * instead of listing accounts, and the account picker's form refuses its customers, so a code is
 * the only way in. The emulator sends no mail: the code is shown on the code page, marked as the
 * emulator's, and given by the control API (`GET /_emulator/control/one-time-codes/{email}`).
 * Tokens are those of any customer (protocol/external-id.ts `shapeCustomerClaims`): nothing in
 * them says which method the customer used.
 */
import type { Tenant } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Router } from "../http/router.js";
import { emailOtpCodePage, emailOtpSignInPage } from "../pages/email-otp.js";
import { continueAs } from "./authorize.js";
import { EntraError, errors } from "./errors.js";
import { externalTenantOf, signUpHref } from "./external-id.js";
import { OneTimeCodes, type SentCode } from "./one-time-codes.js";
import { showErrorPage } from "./respond.js";
import { parseScopes } from "./scopes.js";
import type { PendingAuthorization } from "./state.js";
import { resolveAuthority } from "./tenants.js";

const EMAIL_PATH = "/_emulator/email-otp";
const CODE_PATH = "/_emulator/email-otp/code";

/** A sign-in waiting for its code: which request, tenant and customer it would sign in. */
interface WaitingSignIn {
  readonly email: string;
  readonly requestId: string;
  readonly tenantId: string;
  readonly userId: string;
}

const codesByContext = new WeakMap<EmulatorContext, OneTimeCodes<WaitingSignIn>>();

function codesOf(ctx: EmulatorContext): OneTimeCodes<WaitingSignIn> {
  let codes = codesByContext.get(ctx);
  if (!codes) {
    codes = new OneTimeCodes(ctx.clock);
    codesByContext.set(ctx, codes);
  }
  return codes;
}

/** Whether a tenant signs its customers in with e-mail one-time passcodes. */
export function usesEmailOtp(tenant: Tenant): boolean {
  return tenant.kind === "external" && tenant.signInMethod === "emailOtp";
}

/** The sign-in code last sent to `email` and still waiting (for the control API). */
export function signInCode(ctx: EmulatorContext, email: string): string | undefined {
  return codesOf(ctx).latest(email);
}

/** Shows the e-mail page, the sign-in page of a tenant that uses one-time passcodes. */
export function showEmailOtpSignIn(
  ctx: EmulatorContext,
  exchange: Exchange,
  tenant: Tenant,
  pending: PendingAuthorization,
  problem?: string,
  email?: string,
): void {
  const authority = resolveAuthority(ctx, pending.authority);
  exchange.sendHtml(
    problem ? 400 : 200,
    emailOtpSignInPage({
      requestId: pending.id,
      tenant,
      app: ctx.directory.app(pending.clientId)?.value,
      action: EMAIL_PATH,
      signUpHref: authority ? signUpHref(authority, pending) : undefined,
      problem,
      email: email ?? pending.loginHint,
    }),
  );
}

/** Registers the one-time passcode sign-in pages. */
export function registerEmailOtpRoutes(router: Router, ctx: EmulatorContext): void {
  router.on("POST", EMAIL_PATH, handleEmail(ctx)).on("POST", CODE_PATH, handleCode(ctx));
}

/** The pending request, if it is one of a tenant that signs in with one-time passcodes. */
function pendingOtp(ctx: EmulatorContext, requestId: string) {
  const pending = ctx.state.pending(requestId);
  const authority = pending ? resolveAuthority(ctx, pending.authority) : undefined;
  const tenant = authority ? externalTenantOf(authority) : undefined;
  return pending && tenant && usesEmailOtp(tenant) ? { pending, tenant } : undefined;
}

function expired(): EntraError {
  return errors.malformed(
    "The sign-in request has expired or was already used. Start signing in again.",
  );
}

function isEmailAddress(email: string): boolean {
  return email.length <= 254 && /^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/.test(email);
}

/** POST /_emulator/email-otp: the customer's address; a code is "sent" if it is a customer's. */
function handleEmail(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const found = pendingOtp(ctx, form.get("request") ?? "");
    if (!found) return showErrorPage(ctx, exchange, expired());
    const { pending, tenant } = found;
    const email = (form.get("email") ?? "").trim().toLowerCase();
    const again = (problem: string) =>
      showEmailOtpSignIn(ctx, exchange, tenant, pending, problem, email);
    if (!isEmailAddress(email)) return again("Enter a valid e-mail address.");
    const user = tenant.users.find((candidate) => candidate.mail?.toLowerCase() === email);
    if (!user) {
      return again("We could not find an account with this e-mail address. Create one instead.");
    }
    const sent = codesOf(ctx).send({
      email,
      requestId: pending.id,
      tenantId: tenant.id,
      userId: user.id,
    });
    exchange.sendHtml(200, codePage(pending, email, sent));
  };
}

/** POST /_emulator/email-otp/code: the code; right, the customer is signed in. */
function handleCode(ctx: EmulatorContext) {
  return async (exchange: Exchange) => {
    const form = await exchange.params();
    const checked = codesOf(ctx).check(form.get("otp") ?? "", form.get("code") ?? "");
    if (checked.outcome === "unknown") {
      // Used, replaced by a newer code, expired or made up: start from the address again.
      const found = pendingOtp(ctx, form.get("request") ?? "");
      if (!found) return showErrorPage(ctx, exchange, expired());
      return showEmailOtpSignIn(
        ctx,
        exchange,
        found.tenant,
        found.pending,
        "This code has expired or was already used. Ask for a new one.",
      );
    }
    const found = pendingOtp(ctx, checked.holder.requestId);
    if (!found || found.tenant.id !== checked.holder.tenantId) {
      return showErrorPage(ctx, exchange, expired());
    }
    if (checked.outcome === "exhausted") {
      return showEmailOtpSignIn(
        ctx,
        exchange,
        found.tenant,
        found.pending,
        "Too many wrong codes. Ask for a new one.",
        checked.holder.email,
      );
    }
    if (checked.outcome === "wrong") {
      exchange.sendHtml(
        400,
        codePage(
          found.pending,
          checked.holder.email,
          checked.sent,
          "That code is not right. Check the e-mail and try again.",
        ),
      );
      return;
    }
    // The customer may have been removed, or their address changed, while the code was out.
    const user = ctx.directory.user(checked.holder.userId);
    if (
      !user ||
      user.tenant.id !== found.tenant.id ||
      user.value.mail?.toLowerCase() !== checked.holder.email
    ) {
      return showEmailOtpSignIn(
        ctx,
        exchange,
        found.tenant,
        found.pending,
        "We could not find an account with this e-mail address. Create one instead.",
        checked.holder.email,
      );
    }
    const scopes = parseScopes(ctx, found.pending.scopes, found.pending.authority);
    if (scopes instanceof EntraError) return showErrorPage(ctx, exchange, scopes);
    continueAs(ctx, exchange, found.pending, user, scopes, { fresh: true });
  };
}

function codePage(
  pending: PendingAuthorization,
  email: string,
  sent: SentCode,
  problem?: string,
): string {
  return emailOtpCodePage({
    requestId: pending.id,
    stepId: sent.id,
    email,
    code: sent.code,
    action: CODE_PATH,
    problem,
  });
}
