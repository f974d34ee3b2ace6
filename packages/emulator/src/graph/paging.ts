import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import { graphErrors } from "./errors.js";
import { queryOption } from "./query.js";
import type { SkipTokens } from "./skip-token.js";

/** A resource's page sizes: what Graph returns without `$top`, and the largest `$top` it takes. */
export interface PageSizes {
  readonly default: number;
  readonly max: number;
}

/** One page of a list, and the link to the next when there is one. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextLink: string | undefined;
}

function pageSize(exchange: Exchange, sizes: PageSizes): number {
  const raw = queryOption(exchange, "$top");
  if (raw === undefined) return sizes.default;
  const top = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(top >= 1 && top <= sizes.max)) {
    throw graphErrors.badRequest(
      `Invalid page size specified: '${raw}'. Must be between 1 and ${sizes.max} inclusive.`,
    );
  }
  return top;
}

/** The next page's URL: the same request with a new `$skiptoken`. */
function nextLink(ctx: EmulatorContext, exchange: Exchange, skipToken: string): string {
  const parts: string[] = [];
  for (const [key, value] of exchange.url.searchParams) {
    if (key.toLowerCase() === "$skiptoken") continue;
    // Keep `$` readable in option names, as Graph's own links do.
    parts.push(`${encodeURIComponent(key).replaceAll("%24", "$")}=${encodeURIComponent(value)}`);
  }
  parts.push(`$skiptoken=${skipToken}`);
  return `${ctx.urls.https}${exchange.url.pathname}?${parts.join("&")}`;
}

/**
 * The page of `items` a request asks for with `$top` and `$skiptoken`. `list` names the list a
 * token belongs to (its owner and path), so that a token from another list is refused with 400.
 */
export function pageOf<T>(
  ctx: EmulatorContext,
  exchange: Exchange,
  skipTokens: SkipTokens,
  list: string,
  items: readonly T[],
  sizes: PageSizes,
): Page<T> {
  const top = pageSize(exchange, sizes);
  const token = queryOption(exchange, "$skiptoken");
  const offset = token === undefined ? 0 : skipTokens.read(list, token);
  if (offset === undefined) {
    throw graphErrors.badRequest(
      "The $skiptoken is not valid for this list. Request the first page again and follow @odata.nextLink.",
    );
  }
  const end = offset + top;
  return {
    items: items.slice(offset, end),
    nextLink: end < items.length ? nextLink(ctx, exchange, skipTokens.issue(list, end)) : undefined,
  };
}
