import type { EntranceError, EntranceErrorCode } from "../errors/entrance-error.js";

/**
 * The HTTP status of every error code, in one place: the compiler refuses a code without one.
 * docs/errors.md lists the same table.
 */
export const ERROR_STATUS = {
  config_invalid: 500,
  login_transaction_missing: 400,
  browser_binding_mismatch: 400,
  callback_invalid: 400,
  identity_provider_error: 400,
  token_request_failed: 502,
  id_token_invalid: 400,
  tenant_not_allowed: 403,
  sign_in_refused: 403,
  user_disabled: 403,
  identity_provider_unavailable: 502,
  interaction_required: 401,
  reauthentication_required: 401,
  groups_unavailable: 502,
  sign_in_busy: 503,
  cross_site_request: 403,
  store_failed: 500,
  graph_host_not_allowed: 500,
} as const satisfies Record<EntranceErrorCode, number>;

/** The HTTP status for an error. */
export function statusOf(error: EntranceError): number {
  return ERROR_STATUS[error.code];
}

/**
 * Whether a request wants JSON (an API call, `fetch` with `Accept: application/json`, XHR) rather
 * than a page: JSON only when it ranks `application/json` strictly above `text/html` — a browser's
 * navigation (`text/html,…,*∕*;q=0.8`), `*∕*` and no Accept at all get HTML.
 */
export function prefersJson(headers: { get(name: string): string | null }): boolean {
  if (headers.get("x-requested-with")?.toLowerCase() === "xmlhttprequest") return true;
  const accept = headers.get("accept");
  if (!accept) return false;
  const ranges = accept
    .split(",")
    .slice(0, 50)
    .map((part) => {
      const [type = "", ...params] = part.trim().toLowerCase().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const quality = q ? Number(q.slice(2)) : 1;
      return { type: type.trim(), q: Number.isFinite(quality) ? quality : 0 };
    });
  return quality(ranges, "application/json") > quality(ranges, "text/html");
}

/** The quality the most specific matching range gives `type`; 0 when none matches. */
function quality(ranges: readonly { type: string; q: number }[], type: string): number {
  const [major] = type.split("/");
  let best = { specificity: -1, q: 0 };
  for (const range of ranges) {
    const specificity =
      range.type === type ? 2 : range.type === `${major}/*` ? 1 : range.type === "*/*" ? 0 : -1;
    if (specificity > best.specificity) best = { specificity, q: range.q };
  }
  return best.q;
}

/** The JSON body of an error response: its code and message, never a stack or a cause. */
export function errorBody(
  error: EntranceError,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return {
    error: error.code,
    message: error.message,
    ...(error.aadsts ? { aadsts: error.aadsts } : {}),
    ...extra,
  };
}
