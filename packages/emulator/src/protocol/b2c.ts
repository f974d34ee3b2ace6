/**
 * Azure AD B2C's endpoints, by policy, as `{tenant}.b2clogin.com` serves them but on the
 * emulator's own origin: `/{tenant}.onmicrosoft.com/{policy}/v2.0/.well-known/openid-configuration`,
 * `…/oauth2/v2.0/authorize`, `…/token`, `…/logout` and `…/discovery/v2.0/keys`, and the pages of
 * the user flows behind the authorize endpoint (b2c-pages.ts). The token endpoint is in
 * b2c-token.ts.
 */
import type { JSONWebKeySet } from "jose";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Params, Router } from "../http/router.js";
import { B2C_ACTIONS, b2cProfilePage, b2cResetPage, b2cSignInPage } from "../pages/b2c.js";
import { SSO_COOKIE } from "./authorize.js";
import {
  handleB2cCancel,
  handleB2cForgot,
  handleB2cProfile,
  handleB2cReset,
  handleB2cSignIn,
  handleB2cSignUp,
  issueB2cCode,
} from "./b2c-pages.js";
import {
  b2cDescription,
  b2cErrors,
  b2cIssuer,
  b2cSigningKeys,
  isB2cScope,
  type PolicyRef,
  pendingAuthority,
  resolvePolicy,
} from "./b2c-policy.js";
import { handleB2cToken } from "./b2c-token.js";
import { errors } from "./errors.js";
import { handleLogout } from "./logout.js";
import { type ResponseTarget, respondToApp, showErrorPage } from "./respond.js";

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

/**
 * A policy's signing keys, as B2C publishes them (no Entra `issuer` template): the tenant's shared
 * keys for a user flow, a custom policy's own key for a custom policy (`b2cSigningKeys`).
 */
async function b2cJwks(ctx: EmulatorContext, policy: PolicyRef): Promise<JSONWebKeySet> {
  const keys = await b2cSigningKeys(ctx, policy);
  return {
    keys: keys.all.map((key) => ({ ...key.publicJwk, kid: key.kid, use: "sig" })),
  };
}

export function handleB2cDiscovery(ctx: EmulatorContext) {
  return (exchange: Exchange, params: Params) => {
    const policy = policyOr404(ctx, exchange, params);
    if (policy) exchange.sendJson(200, b2cDiscoveryDocument(ctx, policy), METADATA_HEADERS);
  };
}

export function handleB2cKeys(ctx: EmulatorContext) {
  return async (exchange: Exchange, params: Params) => {
    const policy = policyOr404(ctx, exchange, params);
    if (policy) exchange.sendJson(200, await b2cJwks(ctx, policy), METADATA_HEADERS);
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
    const unsupported = scopes.find((scope) => !isB2cScope(scope, app, policy));
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
