import type { JWTPayload } from "jose";
import type { User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Located } from "../directory.js";
import type { Exchange } from "../http/exchange.js";
import { GRAPH_APP_ID, issuerV1, verifyBearer } from "../protocol/tokens.js";
import { GraphError, graphErrors } from "./errors.js";

/** Who is calling Graph: the signed-in user of a valid delegated Graph token. */
export interface Caller {
  readonly kind: "user";
  readonly user: Located<User>;
  /** The tenant the token was issued in; only its users are visible. */
  readonly tenantId: string;
  /** The client the token was issued to (`appid`). */
  readonly appId: string | undefined;
  /** Delegated scopes (`scp`), lower-cased: Graph compares permission names without case. */
  readonly scopes: ReadonlySet<string>;
  readonly claims: JWTPayload;
}

/** An app calling Graph as itself (client credentials): its application permissions. */
export interface AppCaller {
  readonly kind: "app";
  /** The tenant the token was issued in; only its users are visible. */
  readonly tenantId: string;
  readonly appId: string | undefined;
  /** Application permissions (`roles`), lower-cased. */
  readonly roles: ReadonlySet<string>;
  readonly claims: JWTPayload;
}

function unauthorized(ctx: EmulatorContext, message: string): GraphError {
  return new GraphError(401, "InvalidAuthenticationToken", message, {
    "www-authenticate": `Bearer realm="", authorization_uri="${ctx.urls.pages}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
  });
}

const REJECTIONS = {
  missing: "Access token is empty.",
  // Graph's text for a bearer value that is not a JWS at all.
  malformed: "CompactToken parsing failed with error code: 80049217",
  signature: "Access token validation failure. Invalid signature.",
  expired: "Lifetime validation failed, the token is expired.",
  audience: "Access token validation failure. Invalid audience.",
} as const;

/** Checks the bearer token of a Graph request (signature, audience, expiry, issuer). */
async function verifyGraphToken(ctx: EmulatorContext, exchange: Exchange) {
  const verified = await verifyBearer(ctx, exchange.header("authorization"), GRAPH_APP_ID);
  if (!verified.ok) throw unauthorized(ctx, REJECTIONS[verified.reason]);
  const { claims } = verified;
  const tid = typeof claims.tid === "string" ? claims.tid : "";
  if (claims.iss !== issuerV1(tid)) {
    throw unauthorized(ctx, "Access token validation failure. Invalid issuer.");
  }
  return { claims, tid };
}

/**
 * The caller of a path that serves users only (`/me`, mail, calendars, userinfo): a delegated
 * token and its user; throws a 401 or 403 GraphError.
 */
export async function authenticate(ctx: EmulatorContext, exchange: Exchange): Promise<Caller> {
  const { claims, tid } = await verifyGraphToken(ctx, exchange);
  if (typeof claims.scp !== "string") {
    // App-only tokens reach profiles, photos and memberships only: say so plainly.
    throw new GraphError(
      403,
      "Authorization_RequestDenied",
      "The emulator's Graph serves app-only tokens (no scp claim) for /users/{id} profiles, photos and memberships only; this path needs a delegated (user) token.",
    );
  }
  return delegatedCaller(ctx, { ...claims, scp: claims.scp }, tid);
}

/**
 * The caller of a path that apps may also call as themselves (`/users/{id}` profiles, photos,
 * memberships): a delegated caller, or an app with its application permissions.
 */
export async function authenticateUserOrApp(
  ctx: EmulatorContext,
  exchange: Exchange,
): Promise<Caller | AppCaller> {
  const { claims, tid } = await verifyGraphToken(ctx, exchange);
  if (typeof claims.scp === "string")
    return delegatedCaller(ctx, { ...claims, scp: claims.scp }, tid);
  const roles = Array.isArray(claims.roles) ? claims.roles.map((r) => String(r).toLowerCase()) : [];
  return {
    kind: "app",
    tenantId: tid,
    appId: typeof claims.appid === "string" ? claims.appid : undefined,
    roles: new Set(roles),
    claims,
  };
}

/** The user of a delegated token, who must exist in the token's tenant and be enabled. */
function delegatedCaller(
  ctx: EmulatorContext,
  claims: JWTPayload & { scp: string },
  tid: string,
): Caller {
  const user = typeof claims.oid === "string" ? ctx.directory.user(claims.oid) : undefined;
  if (!user || user.tenant.id !== tid) {
    throw unauthorized(ctx, "The user of this token does not exist in its tenant.");
  }
  if (!user.value.accountEnabled) throw unauthorized(ctx, "The user account is disabled.");
  return {
    kind: "user",
    user,
    tenantId: tid,
    appId: typeof claims.appid === "string" ? claims.appid : undefined,
    scopes: new Set(
      claims.scp
        .split(" ")
        .filter(Boolean)
        .map((s) => s.toLowerCase()),
    ),
    claims,
  };
}

/**
 * The permissions that allow an operation: delegated on the caller and on other users, and the
 * application permissions (app roles) that allow it on any user of the tenant.
 */
export interface Permissions {
  readonly self: readonly string[];
  readonly others: readonly string[];
  readonly application: readonly string[];
}

/** Reading a profile or photo. */
export const READ_PROFILE: Permissions = {
  self: ["User.Read", "User.ReadBasic.All", "User.Read.All", "Directory.Read.All"],
  others: ["User.ReadBasic.All", "User.Read.All", "Directory.Read.All"],
  application: ["User.ReadBasic.All", "User.Read.All", "Directory.Read.All"],
};

/** Reading group memberships (memberOf, transitiveMemberOf, getMemberObjects). */
export const READ_MEMBERSHIPS: Permissions = {
  self: ["User.Read", "GroupMember.Read.All", "Directory.Read.All"],
  others: ["GroupMember.Read.All", "Directory.Read.All"],
  application: ["GroupMember.Read.All", "Directory.Read.All"],
};

/**
 * Reading mail. `others` is empty: a delegated token reads another user's mailbox only through
 * shared-mailbox rights, which the emulator does not model. Mail.ReadBasic hides bodies.
 */
export const READ_MAIL: Permissions = {
  self: ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"],
  others: [],
  application: [],
};

/** Reading calendar events; `others` is empty for the same reason as mail's. */
export const READ_CALENDARS: Permissions = {
  self: ["Calendars.Read", "Calendars.ReadWrite"],
  others: [],
  application: [],
};

/** Throws 403 unless the caller holds one of `anyOf`. */
export function requireScope(caller: Caller, anyOf: readonly string[]): void {
  if (!anyOf.some((scope) => caller.scopes.has(scope.toLowerCase()))) {
    throw graphErrors.insufficientPrivileges();
  }
}

/**
 * The user a request is about: the caller for `/me` (no `id`), else the user with that object id
 * or UPN in the caller's tenant. The permission check comes first, so a caller without the right
 * to read other users cannot learn which ids exist.
 */
export function targetUser(
  ctx: EmulatorContext,
  caller: Caller | AppCaller,
  id: string | undefined,
  permissions: Permissions,
): Located<User> {
  if (caller.kind === "app") return appTarget(ctx, caller, id, permissions);
  if (id === undefined) {
    requireScope(caller, permissions.self);
    return caller.user;
  }
  const found = ctx.directory.user(id);
  const visible = found && found.tenant.id === caller.tenantId ? found : undefined;
  if (visible?.value.id === caller.user.value.id) {
    requireScope(caller, permissions.self);
    return visible;
  }
  requireScope(caller, permissions.others);
  if (!visible) throw graphErrors.userNotFound(id);
  return visible;
}

/** The user an app-only request is about: any user of the token's tenant, by role. */
function appTarget(
  ctx: EmulatorContext,
  caller: AppCaller,
  id: string | undefined,
  permissions: Permissions,
): Located<User> {
  if (id === undefined) {
    throw new GraphError(
      400,
      "BadRequest",
      "/me request is only valid with delegated authentication flow.",
    );
  }
  if (!permissions.application.some((role) => caller.roles.has(role.toLowerCase()))) {
    throw graphErrors.insufficientPrivileges();
  }
  const found = ctx.directory.user(id);
  if (!found || found.tenant.id !== caller.tenantId) throw graphErrors.userNotFound(id);
  return found;
}
