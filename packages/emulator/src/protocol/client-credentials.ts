import type { EmulatorContext } from "../context.js";
import { GRAPH_APP_ID } from "../microsoft-graph.js";
import { mintAppToken } from "./app-tokens.js";
import type { Client } from "./client-auth.js";
import { EntraError, errors } from "./errors.js";
import { parseScope, splitScopes, tokenResource } from "./scopes.js";
import type { Authority } from "./tenants.js";

/**
 * `grant_type=client_credentials`: an app-only token for the one resource named by
 * `{resource}/.default`, carrying the application permissions the client holds on it.
 */
export async function clientCredentials(
  ctx: EmulatorContext,
  authority: Authority,
  form: URLSearchParams,
  client: Client,
): Promise<Record<string, string | number>> {
  if (authority.kind !== "tenant") throw errors.noTenant();
  const tenant = authority.tenant;
  const home = ctx.directory.app(client.app.clientId)?.tenant;
  if (home?.id !== tenant.id && !client.app.multiTenant)
    throw errors.appNotFound(client.app.clientId, tenant.domain);
  const raw = splitScopes(form.get("scope"));
  if (raw.length === 0) throw errors.missingParameter("scope");
  const scopes = raw.map((value) => {
    const scope = parseScope(ctx, value, tenant.domain);
    if (scope instanceof EntraError) {
      // A name without `/.default` is the client-credentials mistake, whatever else it is.
      if (!value.endsWith("/.default")) throw errors.defaultScopeRequired(value);
      throw scope;
    }
    if (!scope.isDefault) throw errors.defaultScopeRequired(value);
    return scope;
  });
  const resource = tokenResource(scopes);
  if (resource instanceof EntraError) throw resource;
  if (resource.kind === "api") {
    const apiHome = ctx.directory.app(resource.app.clientId)?.tenant;
    if (apiHome?.id !== tenant.id && !resource.app.multiTenant)
      throw errors.resourceNotFound(resource.app.clientId, tenant.domain);
  }
  const resourceId = resource.kind === "graph" ? GRAPH_APP_ID : resource.app.clientId;
  // The directory's schema keeps these to roles the resource offers to applications.
  const roles = client.app.applicationPermissions[resourceId] ?? [];
  return {
    token_type: "Bearer",
    expires_in: ctx.lifetimes.accessToken,
    ext_expires_in: ctx.lifetimes.accessToken,
    access_token: await mintAppToken(ctx, {
      client: client.app,
      tenant,
      resource,
      roles,
      clientAuth: client.auth === 2 ? 2 : 1,
    }),
  };
}
