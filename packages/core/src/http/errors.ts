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
  sign_in_hook_failed: 500,
  user_disabled: 403,
  identity_provider_unavailable: 502,
  interaction_required: 401,
  reauthentication_required: 401,
  groups_unavailable: 502,
  sign_in_busy: 503,
  too_many_sign_ins: 429,
  cross_site_request: 403,
  host_not_allowed: 400,
  store_failed: 500,
  store_unavailable: 503,
  graph_host_not_allowed: 500,
  b2c_graph_unsupported: 500,
  graph_token_rejected: 502,
  bearer_token_missing: 401,
  bearer_token_invalid: 401,
  bearer_insufficient_scope: 403,
  signing_keys_unavailable: 503,
  on_behalf_of_needs_user: 403,
  downstream_interaction_required: 401,
  downstream_url_not_allowed: 500,
  downstream_unavailable: 502,
  downstream_token_rejected: 502,
} as const satisfies Record<EntranceErrorCode, number>;

/** The HTTP status for an error. */
export function statusOf(error: EntranceError): number {
  return ERROR_STATUS[error.code];
}

/**
 * Whether a request wants JSON (an API call, `fetch` or axios with `Accept: application/json`,
 * XHR) rather than a page, ranking `application/json` against `text/html` as content negotiation
 * does: by quality, then by how specifically the Accept header names the type (exactly, by
 * `type/*`, by `*∕*`), then by which it lists first. A browser's navigation
 * (`text/html,…,*∕*;q=0.8`), `*∕*` alone, a tie and no Accept at all get HTML;
 * `application/json, text/plain, *∕*` (axios) gets JSON.
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
  const json = rank(ranges, "application/json");
  const html = rank(ranges, "text/html");
  if (json.q !== html.q) return json.q > html.q;
  if (json.q === 0) return false;
  if (json.specificity !== html.specificity) return json.specificity > html.specificity;
  return json.position < html.position;
}

interface Rank {
  readonly q: number;
  readonly specificity: number;
  readonly position: number;
}

/** How the most specific range matching `type` ranks it; q 0 when none matches. */
function rank(ranges: readonly { type: string; q: number }[], type: string): Rank {
  const [major] = type.split("/");
  let best: Rank = { q: 0, specificity: -1, position: Number.POSITIVE_INFINITY };
  ranges.forEach((range, position) => {
    const specificity =
      range.type === type ? 2 : range.type === `${major}/*` ? 1 : range.type === "*/*" ? 0 : -1;
    if (specificity > best.specificity) best = { q: range.q, specificity, position };
  });
  return best;
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
