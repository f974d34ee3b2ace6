import { createHash } from "node:crypto";
import { createLocalJWKSet, type JWTPayload, jwtVerify, SignJWT } from "jose";
import type { AppRegistration, Tenant, User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { IdTokenDefect } from "../control/faults.js";
import { CONSUMERS_TENANT_ID } from "../directory.js";
import { opaque } from "../ids.js";
import { GRAPH_APP_ID } from "../microsoft-graph.js";
import { ciamIssuer, servedCiamHost } from "./ciam-hosts.js";
import { jwks } from "./discovery.js";
import { shapeCustomerClaims } from "./external-id.js";
import { mintDefectiveIdToken } from "./id-token-defects.js";

export { GRAPH_APP_ID };

/** Above this many groups a token carries the overage form instead of `groups`. */
export const GROUP_OVERAGE_LIMIT = 200;

/**
 * The v2.0 issuer of a tenant, on the emulator's https origin; for an external tenant served as
 * its ciamlogin.com host, External ID's own `https://{tid}.ciamlogin.com/{tid}/v2.0`.
 */
export function issuerV2(ctx: EmulatorContext, tenantId: string): string {
  const host = servedCiamHost();
  if (host && ctx.directory.tenant(tenantId)?.kind === "external") return ciamIssuer(tenantId);
  return `${ctx.urls.https}/${tenantId}/v2.0`;
}

/**
 * The v1.0 issuer, Entra's literal `https://sts.windows.net/{tid}/`. Unlike the v2.0 issuer it is
 * not on the authority's host (Entra's v1 metadata advertises it as is), so validators write it
 * down rather than discover it; the emulator issues the same string for them to accept.
 */
export function issuerV1(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

/** `sub` is pairwise: the same user has a different subject in each app. */
export function pairwiseSubject(userId: string, clientId: string): string {
  return createHash("sha256").update(`${userId}|${clientId}`).digest("base64url").slice(0, 43);
}

/** `client_info` as MSAL expects it: base64url of {"uid": oid, "utid": tid}. */
export function clientInfo(userId: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString("base64url");
}

export async function sign(ctx: EmulatorContext, claims: JWTPayload): Promise<string> {
  const key = ctx.keys.active;
  return new SignJWT(claims)
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: key.kid, x5t: key.kid })
    .sign(key.privateKey);
}

/** Who signed in, for building token claims. */
export interface Subject {
  readonly user: User;
  /** The tenant the token is issued in (for a guest, the resource tenant). */
  readonly tenant: Tenant;
  readonly groupIds: readonly string[];
  /** The Entra session id shared by every app signed in through one browser session. */
  readonly sid: string;
  readonly authTime: number;
}

function userClaims(ctx: EmulatorContext, subject: Subject, app: AppRegistration) {
  const { user, tenant } = subject;
  const claims: JWTPayload = {
    name: user.displayName,
    oid: user.id,
    preferred_username: user.userPrincipalName,
    rh: `0.${opaque(24)}.`,
    sid: subject.sid,
    tid: tenant.id,
    uti: opaque(16),
  };
  if (user.idp) claims.idp = user.idp;
  const roles = user.appRoles[app.clientId];
  if (roles?.length) claims.roles = [...roles];
  if (app.groupMembershipClaims !== "None") Object.assign(claims, groupClaims(ctx, subject));
  return claims;
}

/** `groups`, or the overage form pointing at Graph when there are too many. */
function groupClaims(ctx: EmulatorContext, subject: Subject): JWTPayload {
  if (subject.groupIds.length === 0) return {};
  if (subject.groupIds.length <= GROUP_OVERAGE_LIMIT) return { groups: [...subject.groupIds] };
  return {
    _claim_names: { groups: "src1" },
    _claim_sources: {
      src1: { endpoint: `${ctx.urls.https}/v1.0/users/${subject.user.id}/getMemberObjects` },
    },
  };
}

export interface IdTokenRequest {
  readonly subject: Subject;
  readonly app: AppRegistration;
  readonly scopes: ReadonlySet<string>;
  readonly nonce?: string | undefined;
  /** A defect to give the token (an `id_token` fault). */
  readonly defect?: IdTokenDefect | undefined;
}

export function mintIdToken(ctx: EmulatorContext, request: IdTokenRequest): Promise<string> {
  const now = ctx.clock.seconds();
  const { subject, app } = request;
  const claims: JWTPayload = {
    aud: app.clientId,
    iss: issuerV2(ctx, subject.tenant.id),
    iat: now,
    nbf: now,
    exp: now + ctx.lifetimes.idToken,
    aio: opaque(24),
    ...userClaims(ctx, subject, app),
    sub: pairwiseSubject(subject.user.id, app.clientId),
    ver: "2.0",
    login_hint: Buffer.from(
      JSON.stringify({
        oid: subject.user.id,
        tid: subject.tenant.id,
        upn: subject.user.userPrincipalName,
      }),
    ).toString("base64url"),
  };
  if (app.optionalClaims.includes("acct") && subject.tenant.id !== CONSUMERS_TENANT_ID) {
    claims.acct = subject.user.userType === "Guest" ? 1 : 0;
  }
  if (request.nonce !== undefined) claims.nonce = request.nonce;
  if (request.scopes.has("email") && subject.user.mail) claims.email = subject.user.mail;
  shapeCustomerClaims(subject.tenant, subject.user, claims, request.scopes);
  if (request.defect === undefined) return sign(ctx, claims);
  return mintDefectiveIdToken(ctx, claims, request.defect, {
    subject,
    app,
    mintFor: (other) => mintIdToken(ctx, { ...request, subject: other, defect: undefined }),
  });
}

export interface AccessTokenRequest {
  readonly subject: Subject;
  /** The app that asked for the token (azp). */
  readonly client: AppRegistration;
  /** The resource the token is for: Graph, or an app's own API. */
  readonly resource:
    | { readonly kind: "graph" }
    | { readonly kind: "api"; readonly app: AppRegistration };
  /** Delegated scopes for the resource, without its prefix (e.g. `User.Read`). */
  readonly scopes: readonly string[];
  /** Client capabilities the app declared (e.g. `cp1` for continuous access evaluation). */
  readonly capabilities: readonly string[];
  /** How the client authenticated: 0 public, 1 secret, 2 certificate. */
  readonly clientAuth: 0 | 1 | 2;
}

export function mintAccessToken(
  ctx: EmulatorContext,
  request: AccessTokenRequest,
): Promise<string> {
  const now = ctx.clock.seconds();
  const { subject, client, resource } = request;
  const base: JWTPayload = {
    iat: now,
    nbf: now,
    exp: now + ctx.lifetimes.accessToken,
    aio: opaque(24),
    scp: request.scopes.join(" "),
    ...(request.capabilities.length ? { xms_cc: [...request.capabilities] } : {}),
  };
  if (resource.kind === "graph") {
    // Graph tokens are v1.0 tokens; apps must not validate them (only Graph does).
    return sign(ctx, {
      ...base,
      aud: GRAPH_APP_ID,
      iss: issuerV1(subject.tenant.id),
      appid: client.clientId,
      appidacr: String(request.clientAuth),
      idtyp: "user",
      name: subject.user.displayName,
      oid: subject.user.id,
      sub: pairwiseSubject(subject.user.id, GRAPH_APP_ID),
      tid: subject.tenant.id,
      unique_name: subject.user.userPrincipalName,
      upn: subject.user.userPrincipalName,
      uti: opaque(16),
      ver: "1.0",
      ...(subject.user.idp ? { idp: subject.user.idp } : {}),
    });
  }
  const api = resource.app;
  const claims: JWTPayload = {
    ...base,
    ...userClaims(ctx, subject, api),
    sub: pairwiseSubject(subject.user.id, api.clientId),
    idtyp: "user",
  };
  shapeCustomerClaims(subject.tenant, subject.user, claims, new Set());
  if (api.accessTokenAcceptedVersion === 2) {
    Object.assign(claims, {
      aud: api.clientId,
      iss: issuerV2(ctx, subject.tenant.id),
      azp: client.clientId,
      azpacr: String(request.clientAuth),
      ver: "2.0",
    });
  } else {
    Object.assign(claims, {
      aud: `api://${api.clientId}`,
      iss: issuerV1(subject.tenant.id),
      appid: client.clientId,
      appidacr: String(request.clientAuth),
      unique_name: subject.user.userPrincipalName,
      upn: subject.user.userPrincipalName,
      ver: "1.0",
    });
    delete claims.preferred_username;
  }
  return sign(ctx, claims);
}

/** The outcome of checking a bearer token the emulator issued. */
export type Verified =
  | { readonly ok: true; readonly claims: JWTPayload }
  | {
      readonly ok: false;
      readonly reason: "missing" | "malformed" | "signature" | "expired" | "audience";
    };

/**
 * Checks a bearer token against the emulator's published keys, its expiry (by the emulator's
 * clock) and its audience. Issuer is checked by the caller, which knows the tenant.
 */
export async function verifyBearer(
  ctx: EmulatorContext,
  authorization: string | undefined,
  audience: string,
): Promise<Verified> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]) return { ok: false, reason: authorization ? "malformed" : "missing" };
  try {
    const { payload } = await jwtVerify(match[1], createLocalJWKSet(jwks(ctx, "common")), {
      algorithms: ["RS256"],
      currentDate: new Date(ctx.clock.now()),
      clockTolerance: 0,
    });
    if (payload.aud !== audience) return { ok: false, reason: "audience" };
    return { ok: true, claims: payload };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED") return { ok: false, reason: "expired" };
    if (code === "ERR_JWS_INVALID" || code === "ERR_JWT_INVALID")
      return { ok: false, reason: "malformed" };
    return { ok: false, reason: "signature" };
  }
}
