import { createHash } from "node:crypto";
import type { EmulatorContext } from "../context.js";
import type { Fault, IdTokenDefect } from "../control/faults.js";
import type { Exchange } from "../http/exchange.js";
import { playFault } from "../http/fault-response.js";
import type { Params } from "../http/router.js";
import { authenticate, type Client, requireConfidential } from "./client-auth.js";
import { clientCredentials } from "./client-credentials.js";
import { EntraError, errors, faultError, sendTokenError } from "./errors.js";
import { capabilitiesOf, type Grant, requestedScopes, subjectOf } from "./grants.js";
import { JWT_BEARER_GRANT, onBehalfOf } from "./on-behalf-of.js";
import { grantedScopes, missingConsent, scopesForResource, tokenResource } from "./scopes.js";
import { resolveAuthority } from "./tenants.js";
import { clientInfo, mintAccessToken, mintIdToken } from "./tokens.js";

const NO_STORE = { "cache-control": "no-store, no-cache", pragma: "no-cache" };

/** POST /{tenant}/oauth2/v2.0/token */
export function handleToken(ctx: EmulatorContext) {
  return async (exchange: Exchange, params: Params, routed?: Fault) => {
    const form = await exchange.params();
    const grantType = form.get("grant_type") ?? "";
    if (grantType) ctx.counts.add(`token:${grantType}`);
    try {
      if (!grantType) throw errors.missingParameter("grant_type");
      const authority = resolveAuthority(ctx, params.tenant ?? "");
      if (!authority) throw errors.tenantNotFound(params.tenant ?? "");
      const client = await authenticate(ctx, exchange, form, authority);
      const fault = routed ?? ctx.faults.take("token", client.app.clientId);
      const defect = fault?.kind === "id_token" ? fault.defect : undefined;
      if (
        fault &&
        (await playFault(fault, exchange, (x, f) => sendTokenError(ctx, x, faultError(f))))
      )
        return;
      if (grantType === "client_credentials") {
        requireConfidential(client);
        const response = await clientCredentials(ctx, authority, form, client);
        exchange.sendJson(200, response, NO_STORE);
        return;
      }
      let grant: Grant;
      if (grantType === "authorization_code") grant = redeemCode(ctx, form, client);
      else if (grantType === "refresh_token") grant = redeemRefreshToken(ctx, form, client);
      else if (grantType === JWT_BEARER_GRANT) {
        requireConfidential(client);
        grant = await onBehalfOf(ctx, authority, form, client);
      } else throw errors.unsupportedGrant(grantType);
      exchange.sendJson(200, await tokenResponse(ctx, form, client, grant, defect), NO_STORE);
    } catch (error) {
      if (!(error instanceof EntraError)) throw error;
      sendTokenError(ctx, exchange, error);
    }
  };
}

function redeemCode(ctx: EmulatorContext, form: URLSearchParams, client: Client): Grant {
  const code = form.get("code");
  if (!code) throw errors.missingParameter("code");
  const grant = ctx.state.code(code);
  if (!grant)
    throw new EntraError(
      9002313,
      "invalid_grant",
      "Invalid request. The authorization code is not valid.",
    );
  if (grant.redeemed) throw errors.codeRedeemed();
  // A B2C policy's code is redeemed at that policy's token endpoint only (protocol/b2c.ts).
  if (grant.b2c) throw errors.grantMismatch("code");
  if (grant.expiresAt <= ctx.clock.now()) throw errors.expiredGrant();
  if (grant.clientId !== client.app.clientId) throw errors.grantMismatch("code");
  const redirectUri = form.get("redirect_uri");
  if (!redirectUri) throw errors.missingParameter("redirect_uri");
  if (redirectUri !== grant.redirectUri) throw errors.grantMismatch("redirect_uri");
  if (grant.codeChallenge) {
    const verifier = form.get("code_verifier");
    if (!verifier) throw errors.missingParameter("code_verifier");
    const computed =
      grant.codeChallengeMethod === "S256"
        ? createHash("sha256").update(verifier).digest("base64url")
        : verifier;
    if (computed !== grant.codeChallenge) throw errors.pkceMismatch();
  }
  // One use: from here on the code is spent, whatever happens next.
  grant.redeemed = true;
  const subject = subjectOf(ctx, grant.userId, grant.sid, grant.authTime);
  const requested = requestedScopes(ctx, form, grant.scopes, subject);
  return { subject, requested, nonce: grant.nonce, capabilities: capabilitiesOf(grant.claims) };
}

function redeemRefreshToken(ctx: EmulatorContext, form: URLSearchParams, client: Client): Grant {
  const token = form.get("refresh_token");
  if (!token) throw errors.missingParameter("refresh_token");
  const grant = ctx.state.refreshGrant(token);
  if (!grant)
    throw new EntraError(
      9002313,
      "invalid_grant",
      "Invalid request. The refresh token is malformed or invalid.",
    );
  if (grant.revoked) throw errors.refreshRevoked();
  if (ctx.state.isInactive(grant)) throw errors.refreshInactive();
  if (grant.clientId !== client.app.clientId) throw errors.grantMismatch("refresh_token");
  const subject = subjectOf(ctx, grant.userId, grant.sid, grant.authTime);
  const requested = requestedScopes(ctx, form, ["openid", "profile", "offline_access"], subject);
  grant.lastUsedAt = ctx.clock.now();
  const claims = form.get("claims") ?? undefined;
  const capabilities = claims ? capabilitiesOf(claims) : grant.capabilities;
  return { subject, requested, capabilities };
}

async function tokenResponse(
  ctx: EmulatorContext,
  form: URLSearchParams,
  client: Client,
  grant: Grant,
  defect: IdTokenDefect | undefined,
) {
  const { subject, requested } = grant;
  const missing = missingConsent(ctx, subject.user.id, client.app, requested);
  if (missing.length)
    throw errors.consentRequired(
      client.app.clientId,
      missing.map((s) => s.value),
    );
  const resource = tokenResource(requested);
  if (resource instanceof EntraError) throw resource;
  const granted = grantedScopes(ctx, subject.user.id, client.app);
  const scopes = scopesForResource(granted, resource);
  if (resource.kind === "api" && scopes.token.length === 0) {
    // `.default` with nothing granted for the API: Entra asks for consent rather than issuing a
    // token that carries no permission at all.
    throw errors.consentRequired(client.app.clientId, [`api://${resource.app.clientId}/.default`]);
  }
  const names = new Set(requested.map((s) => s.value));
  const response: Record<string, string | number> = {
    token_type: "Bearer",
    scope: scopes.response.join(" "),
    expires_in: ctx.lifetimes.accessToken,
    ext_expires_in: ctx.lifetimes.accessToken,
    access_token: await mintAccessToken(ctx, {
      subject,
      client: client.app,
      resource,
      scopes: scopes.token,
      capabilities: grant.capabilities,
      clientAuth: client.auth,
    }),
  };
  if (names.has("offline_access")) {
    response.refresh_token = ctx.state.issueRefreshToken({
      clientId: client.app.clientId,
      userId: subject.user.id,
      tenantId: subject.tenant.id,
      sid: subject.sid,
      authTime: subject.authTime,
      capabilities: grant.capabilities,
    });
  }
  if (names.has("openid")) {
    response.id_token = await mintIdToken(ctx, {
      subject,
      app: client.app,
      scopes: names,
      nonce: grant.nonce,
      defect,
    });
  }
  if (form.get("client_info") === "1")
    response.client_info = clientInfo(subject.user.id, subject.tenant.id);
  return response;
}
