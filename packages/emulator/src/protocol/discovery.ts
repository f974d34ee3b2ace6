import type { JSONWebKeySet } from "jose";
import type { EmulatorContext } from "../context.js";
import { CONSUMERS_TENANT_ID } from "../directory.js";
import type { Exchange } from "../http/exchange.js";
import type { Params } from "../http/router.js";
import { ciamIssuer, servedCiamHost } from "./ciam-hosts.js";
import { type EntraError, errors, sendTokenError } from "./errors.js";
import { type Authority, resolveAuthority } from "./tenants.js";
import { issuerV2 } from "./tokens.js";

/** Metadata is cacheable for a day and readable cross-origin, as Entra serves it. */
const METADATA_HEADERS = {
  "cache-control": "max-age=86400, private",
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, OPTIONS",
};

/** The issuer template `{tenantid}` placeholder, as Entra writes it for common/organizations. */
const TENANT_TEMPLATE = "{tenantid}";

/** The issuer a discovery document advertises for an authority. */
function advertisedIssuer(ctx: EmulatorContext, authority: Authority): string {
  if (authority.kind === "tenant") return issuerV2(ctx, authority.tenant.id);
  const tid = authority.alias === "consumers" ? CONSUMERS_TENANT_ID : TENANT_TEMPLATE;
  return `${ctx.urls.https}/${tid}/v2.0`;
}

/** The OpenID Provider metadata for a tenant or alias, with Entra's keys and shapes. */
export function discoveryDocument(ctx: EmulatorContext, authority: Authority) {
  const seg = authority.segment;
  // On an External ID host every endpoint is on that host, as ciamlogin.com publishes them.
  const host = servedCiamHost()?.origin;
  const https = `${host ?? ctx.urls.https}/${seg}`;
  const pages = `${host ?? ctx.urls.pages}/${seg}`;
  return {
    token_endpoint: `${https}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: [
      "client_secret_post",
      "private_key_jwt",
      "client_secret_basic",
    ],
    jwks_uri: `${https}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: advertisedIssuer(ctx, authority),
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.urls.https}/oidc/userinfo`,
    authorization_endpoint: `${pages}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${https}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${pages}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${https}/kerberos`,
    tenant_region_scope: ctx.cloud?.tenantRegionScope ?? "EU",
    cloud_instance_name: ctx.cloud?.cloudInstanceName ?? "localhost",
    cloud_graph_host_name: new URL(ctx.urls.https).host,
    msgraph_host: new URL(ctx.urls.https).host,
    rbac_url: ctx.urls.https,
  };
}

/** The published signing keys, each with Entra's `issuer` template. */
export function jwks(ctx: EmulatorContext, segment: string): JSONWebKeySet {
  const tid = segment === "consumers" ? CONSUMERS_TENANT_ID : TENANT_TEMPLATE;
  const issuer = servedCiamHost() ? ciamIssuer(tid) : `${ctx.urls.https}/${tid}/v2.0`;
  return {
    keys: ctx.keys.all.map((key) => ({
      ...key.publicJwk,
      use: "sig",
      kid: key.kid,
      x5t: key.kid,
      x5c: [key.certDer.toString("base64")],
      issuer,
    })),
  };
}

function authorityOr404(ctx: EmulatorContext, exchange: Exchange, segment: string) {
  const authority = resolveAuthority(ctx, segment);
  if (!authority) sendTokenError(ctx, exchange, errors.tenantNotFound(segment) as EntraError);
  return authority;
}

export function handleDiscovery(ctx: EmulatorContext) {
  return (exchange: Exchange, params: Params) => {
    const authority = authorityOr404(ctx, exchange, params.tenant ?? "");
    if (!authority) return;
    exchange.sendJson(200, discoveryDocument(ctx, authority), METADATA_HEADERS);
  };
}

export function handleKeys(ctx: EmulatorContext) {
  return (exchange: Exchange, params: Params) => {
    const segment = params.tenant ?? "common";
    if (params.tenant && !authorityOr404(ctx, exchange, segment)) return;
    exchange.sendJson(200, jwks(ctx, segment.toLowerCase()), METADATA_HEADERS);
  };
}

/**
 * MSAL's instance discovery: which host is the authority's, and where its metadata is. The
 * emulator is one "cloud" with one host, so the answer is always itself.
 */
export function handleInstanceDiscovery(ctx: EmulatorContext) {
  return (exchange: Exchange) => {
    const given = exchange.url.searchParams.get("authorization_endpoint") ?? "";
    const segment = URL.canParse(given)
      ? (new URL(given).pathname.split("/")[1] ?? "common")
      : "common";
    const authority = resolveAuthority(ctx, segment);
    const host = new URL(ctx.urls.https).host;
    exchange.sendJson(
      200,
      {
        tenant_discovery_endpoint: `${ctx.urls.https}/${authority?.segment ?? segment}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
      METADATA_HEADERS,
    );
  };
}
