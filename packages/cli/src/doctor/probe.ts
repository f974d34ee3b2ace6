import type { EntranceConfig } from "@entrance/core";
import { type Finding, finding } from "../findings.js";
import { firstOrigin } from "./redirect-uri.js";

/** How long the running app may take to answer its sign-in path. */
const TIMEOUT_MS = 10_000;

/**
 * `doctor --probe`: asks the running app, at its public origin (ENTRANCE_BASE_URL, so through
 * whatever proxy is in front of it), to start a sign-in, and reads the redirect it answers
 * without following it: the redirect_uri in it is what Entra will see — the scheme, host and
 * port the deployed app really uses, which a proxy or a different environment can make differ
 * from this configuration's (AADSTS50011 at sign-in). The pending sign-in it starts expires by
 * itself (`loginTimeout`).
 */
export async function probeSignIn(
  config: EntranceConfig,
  /** The metadata's authorization endpoint, when it was read: where browsers should be sent. */
  authorizationEndpoint: string | undefined,
): Promise<Finding[]> {
  const expected = `${firstOrigin(config)}${config.paths.callback}`;
  const url = `${firstOrigin(config)}${config.paths.login}?returnTo=%2F`;
  let response: Response;
  try {
    response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return [
      finding(
        "redirect-uri",
        "app_unreachable",
        "warning",
        `the app did not answer at ${url}${cause ? ` (${cause})` : ""}, so what it sends was not checked.`,
        "start the app (or deploy it) and run doctor --probe again; ENTRANCE_BASE_URL must be the address the browser reaches it at",
      ),
    ];
  }
  await response.body?.cancel();
  const location = response.headers.get("location");
  const sent =
    location && URL.canParse(location) ? new URL(location).searchParams.get("redirect_uri") : null;
  const authorityOrigin = new URL(authorizationEndpoint ?? config.authorityHost).origin;
  if (response.status < 300 || response.status > 399 || !location || sent === null) {
    return [
      finding(
        "redirect-uri",
        "sign_in_not_served",
        "error",
        `${url} answered HTTP ${response.status}${location ? " with a redirect that carries no redirect_uri" : ""}, not a redirect to Entra's sign-in: Entrance does not serve that path there.`,
        "mount Entrance at the root of the app (its /auth/… routes), or point ENTRANCE_BASE_URL at the origin that serves them",
      ),
    ];
  }
  if (sent !== expected) {
    return [
      finding(
        "redirect-uri",
        "redirect_uri_mismatch",
        "error",
        `the running app sends the redirect URI ${sent}, but this configuration's is ${expected}: one of them is not registered, and Entra answers AADSTS50011.`,
        "give the deployed app the same ENTRANCE_BASE_URL (its public https origin, as the browser sees it through the proxy), and register that URI",
      ),
    ];
  }
  const target = new URL(location).origin;
  return [
    finding(
      "redirect-uri",
      "redirect_uri_served",
      target === authorityOrigin ? "ok" : "warning",
      target === authorityOrigin
        ? `the running app, reached at ${firstOrigin(config)}, sends browsers to ${authorityOrigin} with the redirect URI ${sent}.`
        : `the running app sends the redirect URI ${sent}, but to ${target}, not to the configured authority ${authorityOrigin}.`,
      ...(target === authorityOrigin
        ? []
        : [
            "give the deployed app the same AZURE_AUTHORITY_HOST and AZURE_TENANT_ID as this configuration",
          ]),
    ),
  ];
}
