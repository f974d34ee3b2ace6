import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import { GRAPH_APP_ID, pairwiseSubject } from "../protocol/tokens.js";
import { authenticate, requireScope } from "./auth.js";
import { graphHeaders } from "./respond.js";

/**
 * GET or POST /oidc/userinfo, the OpenID Connect UserInfo endpoint Entra's discovery points at.
 * `sub` is the pairwise subject of the calling app, so it equals the `sub` of that app's ID token;
 * the profile claims need the `profile` scope and `email` the `email` scope, as OpenID Connect says.
 */
export async function getUserInfo(ctx: EmulatorContext, exchange: Exchange): Promise<void> {
  const caller = await authenticate(ctx, exchange);
  requireScope(caller, ["openid"]);
  const user = caller.user.value;
  const info: Record<string, unknown> = {
    sub: pairwiseSubject(user.id, caller.appId ?? GRAPH_APP_ID),
  };
  if (caller.scopes.has("profile")) {
    info.name = user.displayName;
    if (user.surname !== null) info.family_name = user.surname;
    if (user.givenName !== null) info.given_name = user.givenName;
    info.picture = `${ctx.urls.https}/v1.0/me/photo/$value`;
  }
  if (caller.scopes.has("email") && user.mail !== null) info.email = user.mail;
  // Plain JSON: UserInfo is an OpenID Connect endpoint, not an OData one.
  exchange.sendJson(200, info, graphHeaders(exchange));
}
