import { createLocalJWKSet, type JWTPayload, jwtVerify } from "jose";
import type { EmulatorContext } from "../context.js";
import type { Client } from "./client-auth.js";
import { jwks } from "./discovery.js";
import { EntraError, errors } from "./errors.js";
import { capabilitiesOf, type Grant, requestedScopes, subjectOf } from "./grants.js";
import type { Authority } from "./tenants.js";
import { issuerV1, issuerV2 } from "./tokens.js";

/** The `grant_type` of the on-behalf-of flow (RFC 7523 JWT bearer). */
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/**
 * The on-behalf-of grant: a middle-tier API (the client) exchanges the access token it received
 * (`assertion`, issued by the emulator with `aud` = the client itself) for a token to a
 * downstream resource, as the same user. Consent is the middle tier's: the user must have granted
 * it the downstream scopes. The token response then follows the usual rules (refresh token with
 * `offline_access`, ID token with `openid`).
 */
export async function onBehalfOf(
  ctx: EmulatorContext,
  authority: Authority,
  form: URLSearchParams,
  client: Client,
): Promise<Grant> {
  const use = form.get("requested_token_use");
  if (!use) throw errors.missingParameter("requested_token_use");
  if (use !== "on_behalf_of")
    throw errors.malformed(`requested_token_use must be on_behalf_of, not '${use}'.`);
  const assertion = form.get("assertion");
  if (!assertion) throw errors.missingParameter("assertion");
  if (!form.get("scope")) throw errors.missingParameter("scope");
  const claims = await verifyAssertion(ctx, assertion);
  const clientId = client.app.clientId;
  if (claims.aud !== clientId && claims.aud !== `api://${clientId}`) {
    throw new EntraError(
      500131,
      "invalid_grant",
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${String(claims.aud)}' and the expected audience is '${clientId}' or 'api://${clientId}'.`,
    );
  }
  const tid = typeof claims.tid === "string" ? claims.tid : "";
  if (claims.iss !== issuerV2(ctx, tid) && claims.iss !== issuerV1(tid))
    throw invalidAssertion("The token issuer doesn't match the api version or the tenant.");
  if (authority.kind === "tenant" && authority.tenant.id !== tid)
    throw invalidAssertion("The assertion was issued in another tenant than the request's.");
  if (claims.idtyp === "app" || typeof claims.scp !== "string" || typeof claims.oid !== "string")
    throw invalidAssertion("The assertion is not a user's delegated token.");
  const user = ctx.directory.user(claims.oid);
  if (!user || user.tenant.id !== tid)
    throw invalidAssertion("The user of the assertion does not exist in its tenant.");
  const sid = typeof claims.sid === "string" ? claims.sid : "";
  const subject = subjectOf(ctx, user.value.id, sid, ctx.clock.seconds());
  const requested = requestedScopes(ctx, form, [], subject);
  const asked = form.get("claims") ?? undefined;
  const carried = Array.isArray(claims.xms_cc) ? claims.xms_cc.map(String) : [];
  return { subject, requested, capabilities: asked ? capabilitiesOf(asked) : carried };
}

/** Checks the assertion's signature (the emulator's keys), form and lifetime by its clock. */
async function verifyAssertion(ctx: EmulatorContext, assertion: string): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks(ctx, "common")), {
      algorithms: ["RS256"],
      currentDate: new Date(ctx.clock.now()),
      clockTolerance: 0,
    });
    return payload;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED" || code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
      throw new EntraError(
        500133,
        "invalid_grant",
        "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.",
      );
    }
    if (code === "ERR_JWKS_NO_MATCHING_KEY" || code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
      throw invalidAssertion("Assertion failed signature validation. The key was not found.");
    throw invalidAssertion("The assertion is malformed.");
  }
}

function invalidAssertion(reason: string): EntraError {
  return new EntraError(50013, "invalid_grant", `Assertion is invalid. [Reason - ${reason}]`);
}
