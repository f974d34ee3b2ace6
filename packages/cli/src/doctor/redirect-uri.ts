import { type EntranceConfig, PublicOrigins } from "@entrance/core";
import { type Finding, finding } from "../findings.js";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The redirect URI and front-channel logout URL the app will send, from ENTRANCE_BASE_URL (the
 * public origin: what the browser sees in front of any proxy, never the Host header the app
 * receives), and what about it a proxy commonly gets wrong. Without it, one redirect URI per
 * allowed host (ENTRANCE_ALLOWED_HOSTS), each to register.
 */
export function checkRedirectUri(
  config: EntranceConfig,
  env: Readonly<Record<string, string | undefined>>,
): Finding[] {
  if (config.baseUrl === undefined) return perRequestOrigins(config);
  const base = new URL(config.baseUrl);
  const redirectUri = `${config.baseUrl}${config.paths.callback}`;
  const logoutUrl = `${config.baseUrl}${config.paths.frontchannelLogout}`;
  const findings: Finding[] = [
    finding(
      "redirect-uri",
      "redirect_uri",
      "ok",
      `the app sends the redirect URI ${redirectUri} (front-channel logout: ${logoutUrl}); Entra compares it with the registered ones character for character.`,
      "register exactly this URI under Authentication → Web → Redirect URIs in the Entra admin center (AADSTS50011 otherwise)",
    ),
  ];
  const given = env.ENTRANCE_BASE_URL ?? "";
  if (URL.canParse(given)) {
    const url = new URL(given);
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
      findings.push(
        finding(
          "redirect-uri",
          "base_url_has_path",
          "warning",
          `ENTRANCE_BASE_URL has a path (${url.pathname}), which Entrance ignores: it uses the origin ${config.baseUrl}, and the redirect URI is ${redirectUri}.`,
          "set ENTRANCE_BASE_URL to the origin only (scheme, host and port); an app mounted under a path sets paths.callback and the other paths instead",
        ),
      );
    }
  }
  if (LOOPBACK.has(base.hostname)) {
    findings.push(
      finding(
        "redirect-uri",
        "base_url_local",
        "info",
        `ENTRANCE_BASE_URL is ${config.baseUrl}, a local address: right for development; a deployed app needs its public https origin here.`,
      ),
    );
  } else if (base.port !== "") {
    findings.push(
      finding(
        "redirect-uri",
        "base_url_port",
        "warning",
        `ENTRANCE_BASE_URL names port ${base.port}: the redirect URI carries it, so the browser must reach the app on exactly that port (behind a proxy or load balancer it usually reaches 443, and the URI should have no port).`,
        "set ENTRANCE_BASE_URL to the origin users type (e.g. https://app.example.com), not the port the app listens on behind the proxy",
      ),
    );
  }
  return findings;
}

/** Without ENTRANCE_BASE_URL: a redirect URI per allowed host, and how the origin is read. */
function perRequestOrigins(config: EntranceConfig): Finding[] {
  const origins = new PublicOrigins(config).all;
  const uris = origins.map((origin) => `${origin}${config.paths.callback}`);
  const findings: Finding[] = [
    finding(
      "redirect-uri",
      "redirect_uri",
      "ok",
      `the app answers on ${origins.length === 1 ? "one origin" : `${origins.length} origins`} (ENTRANCE_ALLOWED_HOSTS) and sends each request's own redirect URI: ${uris.join(", ")} (front-channel logout: ${origins[0]}${config.paths.frontchannelLogout}).`,
      "register every one of these URIs under Authentication → Web → Redirect URIs in the Entra admin center (AADSTS50011 otherwise)",
    ),
  ];
  if (config.trustProxy.length === 0) {
    findings.push(
      finding(
        "redirect-uri",
        "proxy_not_trusted",
        "info",
        "ENTRANCE_TRUST_PROXY is not set: the origin is the Host header and the app's own connection, and X-Forwarded-* are ignored. Behind a proxy that ends TLS, requests then arrive over http and are refused (host_not_allowed).",
        "behind a reverse proxy, set ENTRANCE_TRUST_PROXY to its address (or loopback, private), or set ENTRANCE_BASE_URL instead",
      ),
    );
  } else {
    findings.push(
      finding(
        "redirect-uri",
        "proxy_trusted",
        "info",
        `X-Forwarded-Proto and X-Forwarded-Host (or Forwarded) are believed from ${config.trustProxy.join(", ")} only; the resulting host must still be one of ENTRANCE_ALLOWED_HOSTS.`,
      ),
    );
  }
  return findings;
}

/** The app's origin doctor reaches it at: ENTRANCE_BASE_URL, else the first allowed host's. */
export function firstOrigin(config: EntranceConfig): string {
  return new PublicOrigins(config).all[0] ?? "";
}
