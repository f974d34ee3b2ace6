/**
 * POST /{tenant}/{policy}/oauth2/v2.0/token: an Azure AD B2C policy's token endpoint. It redeems
 * codes of its own policy only (AADB2C90088 otherwise) and refresh tokens of its tenant, and
 * answers with B2C's token response: an ID token (`ver` 1.0, the policy in `tfp` or `acr`), an
 * access token when the app asked for an API's scopes (`https://{tenant domain}/{api}/{scope}`:
 * `aud` the API, `scp` the scopes) or for a token to itself (its client id as a scope), a refresh
 * token for `offline_access`, and `client_info` whose `uid` carries the policy as B2C's does.
 * Client credentials (an app's token for an API of the tenant) are in b2c-client-credentials.ts.
 */
import { createHash } from "node:crypto";
import type { JWTPayload } from "jose";
import type { User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Params } from "../http/router.js";
import { opaque } from "../ids.js";
import { b2cClientCredentials } from "./b2c-client-credentials.js";
import {
  B2cError,
  b2cApiScope,
  b2cDescription,
  b2cErrors,
  b2cIssuer,
  b2cUserClaims,
  isB2cScope,
  type PolicyRef,
  resolvePolicy,
  signB2c,
} from "./b2c-policy.js";
import { authenticate } from "./client-auth.js";
import { EntraError, entraTimestamp } from "./errors.js";

const NO_STORE = { "cache-control": "no-store, no-cache", pragma: "no-cache" };

interface Redeemed {
  readonly user: User;
  readonly sid: string;
  readonly authTime: number;
  readonly nonce: string | undefined;
  readonly newUser: boolean;
  readonly scopes: readonly string[];
}

export function handleB2cToken(ctx: EmulatorContext) {
  return async (exchange: Exchange, params: Params) => {
    const form = await exchange.params();
    try {
      const policy = resolvePolicy(ctx, params.tenant ?? "", params.policy ?? "");
      if (!policy)
        throw new B2cError(
          90022,
          "invalid_request",
          `Unable to return metadata for the policy '${params.policy ?? ""}' in tenant '${params.tenant ?? ""}'.`,
          404,
        );
      const client = await authenticate(ctx, exchange, form, {
        kind: "tenant",
        tenant: policy.tenant,
        segment: policy.tenant.id,
      }).catch((error: unknown) => {
        if (error instanceof EntraError)
          throw new B2cError(90081, error.error, error.description, error.status);
        throw error;
      });
      if (ctx.directory.app(client.app.clientId)?.tenant.id !== policy.tenant.id) {
        throw new B2cError(
          90018,
          "invalid_client",
          `The client id '${client.app.clientId}' specified in the request is not registered in tenant '${policy.tenant.domain}'.`,
        );
      }
      const grantType = form.get("grant_type") ?? "";
      if (grantType === "client_credentials") {
        const answer = await b2cClientCredentials(ctx, policy, client, form);
        return exchange.sendJson(200, answer, NO_STORE);
      }
      let redeemed: Redeemed;
      if (grantType === "authorization_code")
        redeemed = redeemCode(ctx, form, client.app.clientId, policy);
      else if (grantType === "refresh_token")
        redeemed = redeemRefresh(ctx, form, client.app.clientId, policy);
      else
        throw new B2cError(
          90086,
          "unsupported_grant_type",
          `The supplied grant_type [${grantType}] is not supported.`,
        );
      const requested = (form.get("scope") ?? "").split(/\s+/).filter(Boolean);
      const scopes = requested.length ? requested : redeemed.scopes;
      const unsupported = scopes.find((scope) => !isB2cScope(scope, client.app, policy));
      if (unsupported) throw b2cErrors.scopeNotSupported(unsupported);
      exchange.sendJson(
        200,
        await tokenResponse(ctx, policy, client.app.clientId, redeemed, new Set(scopes), form),
        NO_STORE,
      );
    } catch (error) {
      if (!(error instanceof B2cError)) throw error;
      exchange.sendJson(error.status, {
        error: error.error,
        error_description: b2cDescription(ctx, exchange, error),
        timestamp: entraTimestamp(ctx.clock.now()),
      });
    }
  };
}

function accountGone(): B2cError {
  return new B2cError(
    90128,
    "invalid_grant",
    "The account associated with this grant no longer exists. Please reauthenticate and try again.",
  );
}

/** AADB2C90080 is B2C's "grant has expired"; the emulator uses it for every unusable grant. */
function invalidGrant(text: string): B2cError {
  return new B2cError(90080, "invalid_grant", text);
}

function redeemCode(
  ctx: EmulatorContext,
  form: URLSearchParams,
  clientId: string,
  policy: PolicyRef,
): Redeemed {
  const code = form.get("code");
  if (!code)
    throw new B2cError(
      90083,
      "invalid_request",
      "The request is missing required parameter: code.",
    );
  const grant = ctx.state.code(code);
  if (!grant?.b2c) throw invalidGrant("The provided grant is not valid.");
  if (grant.redeemed) throw invalidGrant("The provided grant has already been redeemed.");
  if (grant.expiresAt <= ctx.clock.now()) throw invalidGrant("The provided grant has expired.");
  if (grant.b2c.policy.toLowerCase() !== policy.name.toLowerCase()) {
    throw b2cErrors.wrongPolicy(grant.b2c.policy, policy.name);
  }
  if (grant.clientId !== clientId)
    throw new B2cError(
      90279,
      "invalid_grant",
      `The provided client id '${clientId}' does not match the client id that issued the grant.`,
    );
  if (form.get("redirect_uri") !== grant.redirectUri) {
    throw invalidGrant("The redirect_uri does not match the one of the authorization request.");
  }
  if (grant.codeChallenge) {
    const verifier = form.get("code_verifier") ?? "";
    const computed =
      grant.codeChallengeMethod === "S256"
        ? createHash("sha256").update(verifier).digest("base64url")
        : verifier;
    if (computed !== grant.codeChallenge) {
      throw new B2cError(
        90182,
        "invalid_grant",
        "The supplied code_verifier does not match associated code_challenge",
      );
    }
  }
  grant.redeemed = true;
  const user = ctx.directory.user(grant.userId);
  if (!user?.value.accountEnabled) throw accountGone();
  return {
    user: user.value,
    sid: grant.sid,
    authTime: grant.authTime,
    nonce: grant.nonce,
    newUser: grant.b2c.newUser,
    scopes: grant.scopes,
  };
}

function redeemRefresh(
  ctx: EmulatorContext,
  form: URLSearchParams,
  clientId: string,
  policy: PolicyRef,
): Redeemed {
  const grant = ctx.state.refreshGrant(form.get("refresh_token") ?? "");
  if (
    !grant ||
    grant.revoked ||
    grant.tenantId !== policy.tenant.id ||
    grant.clientId !== clientId
  ) {
    throw invalidGrant("The provided refresh token is not valid.");
  }
  if (ctx.state.isInactive(grant))
    throw invalidGrant("The refresh token has expired due to inactivity.");
  const user = ctx.directory.user(grant.userId);
  if (!user?.value.accountEnabled) throw accountGone();
  grant.lastUsedAt = ctx.clock.now();
  return {
    user: user.value,
    sid: grant.sid,
    authTime: grant.authTime,
    nonce: undefined,
    newUser: false,
    scopes: ["openid", "offline_access"],
  };
}

async function tokenResponse(
  ctx: EmulatorContext,
  policy: PolicyRef,
  clientId: string,
  redeemed: Redeemed,
  scopes: ReadonlySet<string>,
  form: URLSearchParams,
) {
  const now = ctx.clock.seconds();
  const base: JWTPayload = {
    ver: "1.0",
    iss: b2cIssuer(ctx, policy.tenant),
    aud: clientId,
    iat: now,
    nbf: now,
    ...b2cUserClaims(policy, redeemed.user, {
      newUser: redeemed.newUser,
      authTime: redeemed.authTime,
    }),
  };
  const response: Record<string, string | number> = {
    token_type: "Bearer",
    not_before: now,
    scope: [...scopes].join(" "),
  };
  if (scopes.has("openid")) {
    response.id_token = await signB2c(ctx, policy, {
      ...base,
      exp: now + ctx.lifetimes.idToken,
      ...(redeemed.nonce === undefined ? {} : { nonce: redeemed.nonce }),
    });
    response.id_token_expires_in = ctx.lifetimes.idToken;
  }
  const api = apiAccess(policy, scopes);
  if (api) {
    response.access_token = await signB2c(ctx, policy, {
      ...base,
      aud: api.audience,
      exp: now + ctx.lifetimes.accessToken,
      azp: clientId,
      scp: api.scp,
      // B2C's access tokens repeat the authorize request's nonce, as its ID tokens do.
      ...(redeemed.nonce === undefined ? {} : { nonce: redeemed.nonce }),
      uti: opaque(16),
    });
    response.expires_in = ctx.lifetimes.accessToken;
  } else if (scopes.has(clientId)) {
    response.access_token = await signB2c(ctx, policy, {
      ...base,
      exp: now + ctx.lifetimes.accessToken,
      azp: clientId,
      uti: opaque(16),
    });
    response.expires_in = ctx.lifetimes.accessToken;
  }
  if (scopes.has("offline_access")) {
    response.refresh_token = ctx.state.issueRefreshToken({
      clientId,
      userId: redeemed.user.id,
      tenantId: policy.tenant.id,
      sid: redeemed.sid,
      authTime: redeemed.authTime,
      capabilities: [],
    });
    response.refresh_token_expires_in = ctx.lifetimes.refreshTokenInactivity;
  }
  if (form.get("client_info") === "1") {
    response.client_info = Buffer.from(
      JSON.stringify({
        uid: `${redeemed.user.id}-${policy.name.toLowerCase()}`,
        utid: policy.tenant.id,
      }),
    ).toString("base64url");
  }
  return response;
}

/**
 * The API an access token is for when the request names API scopes: its client id as `aud` and
 * the scope names, space-separated, as `scp`, as B2C issues them (`ver` "1.0", like its ID
 * tokens). Scopes of one API per token: those of a second API are left out.
 */
function apiAccess(
  policy: PolicyRef,
  scopes: ReadonlySet<string>,
): { audience: string; scp: string } | undefined {
  const named = [...scopes].flatMap((scope) => b2cApiScope(policy.tenant, scope) ?? []);
  const audience = named[0]?.api;
  if (!audience) return undefined;
  const scp = named.filter((s) => s.api === audience).map((s) => s.name);
  return { audience, scp: scp.join(" ") };
}
