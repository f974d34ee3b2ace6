import type { JWTPayload } from "jose";
import type { AppRegistration, Tenant } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import { opaque, servicePrincipalId } from "../ids.js";
import { GRAPH_APP_ID } from "../microsoft-graph.js";
import { issuerV1, issuerV2, sign } from "./tokens.js";

export interface AppTokenRequest {
  /** The app acting as itself. */
  readonly client: AppRegistration;
  /** The tenant the token is issued in. */
  readonly tenant: Tenant;
  readonly resource:
    | { readonly kind: "graph" }
    | { readonly kind: "api"; readonly app: AppRegistration };
  /** Application permissions the client holds on the resource. */
  readonly roles: readonly string[];
  /** 1 secret, 2 certificate. */
  readonly clientAuth: 1 | 2;
}

/**
 * An app-only access token (client credentials): the subject is the client's service principal,
 * `idtyp` is `app`, `roles` are its application permissions and there is no `scp`. Graph tokens
 * and APIs that accept v1.0 get Entra's v1.0 shape, the others v2.0.
 */
export function mintAppToken(ctx: EmulatorContext, request: AppTokenRequest): Promise<string> {
  const now = ctx.clock.seconds();
  const { client, tenant, resource } = request;
  const principal = servicePrincipalId(tenant.id, client.clientId);
  const claims: JWTPayload = {
    iat: now,
    nbf: now,
    exp: now + ctx.lifetimes.accessToken,
    aio: opaque(24),
    idtyp: "app",
    oid: principal,
    rh: `0.${opaque(24)}.`,
    sub: principal,
    tid: tenant.id,
    uti: opaque(16),
    ...(request.roles.length ? { roles: [...request.roles] } : {}),
  };
  const v1 = resource.kind === "graph" || resource.app.accessTokenAcceptedVersion === 1;
  if (v1) {
    Object.assign(claims, {
      aud: resource.kind === "graph" ? GRAPH_APP_ID : `api://${resource.app.clientId}`,
      iss: issuerV1(tenant.id),
      app_displayname: client.displayName,
      appid: client.clientId,
      appidacr: String(request.clientAuth),
      idp: issuerV1(tenant.id),
      ver: "1.0",
    });
  } else {
    Object.assign(claims, {
      aud: resource.app.clientId,
      iss: issuerV2(ctx, tenant.id),
      azp: client.clientId,
      azpacr: String(request.clientAuth),
      ver: "2.0",
    });
  }
  return sign(ctx, claims);
}
