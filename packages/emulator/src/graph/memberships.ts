import type { Group } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Params } from "../http/router.js";
import { authenticateUserOrApp, READ_MEMBERSHIPS, targetUser } from "./auth.js";
import { graphErrors } from "./errors.js";
import { type GroupPredicate, parseFilter, parseSearch } from "./group-filters.js";
import { pageOf } from "./paging.js";
import { isEventual, parseSelect, pick, queryOption } from "./query.js";
import { graphHeaders, sendGraphJson } from "./respond.js";
import type { SkipTokens } from "./skip-token.js";

/** Graph's page sizes for memberships: 100 without `$top`, at most 999. */
const PAGE_SIZES = { default: 100, max: 999 } as const;
const GROUP_PROPERTIES = ["id", "displayName", "securityEnabled", "mailEnabled"] as const;

/** How a membership list was asked for: `/memberOf`, `/memberOf/microsoft.graph.group`, `/memberOf/$count`. */
export type MembershipView = "list" | "cast" | "count";

function groupResource(group: Group): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    securityEnabled: group.securityEnabled,
    mailEnabled: group.mailEnabled,
  };
}

/**
 * The groups the query keeps, in order. Directory objects need `ConsistencyLevel: eventual` for
 * $count, $search, $filter, $orderby and casts; Graph answers 400 without it, so the emulator does
 * too, and code that forgets the header fails here rather than in production.
 */
function queriedGroups(exchange: Exchange, groups: Group[], view: MembershipView): Group[] {
  const search = queryOption(exchange, "$search");
  const filter = queryOption(exchange, "$filter");
  const orderBy = queryOption(exchange, "$orderby");
  const count = queryOption(exchange, "$count");
  if (count !== undefined && !/^(true|false)$/i.test(count)) {
    throw graphErrors.badRequest(`Invalid value '${count}' for $count: use true or false.`);
  }
  if (!isEventual(exchange)) {
    const advanced = [
      count?.toLowerCase() === "true" ? "$count" : undefined,
      search !== undefined ? "$search" : undefined,
      filter !== undefined ? "$filter" : undefined,
      orderBy !== undefined ? "$orderby" : undefined,
      view === "count" ? "/$count" : undefined,
      view === "cast" ? "an OData cast (microsoft.graph.group)" : undefined,
    ].filter((what) => what !== undefined);
    if (advanced.length > 0) throw graphErrors.needsEventualConsistency(advanced.join(", "));
  }
  const tests: GroupPredicate[] = [];
  if (search !== undefined) tests.push(parseSearch(search));
  if (filter !== undefined) tests.push(parseFilter(filter));
  const kept = groups.filter((group) => tests.every((test) => test(group)));
  if (orderBy === undefined) return kept;
  const order = /^\s*displayName(\s+(asc|desc))?\s*$/i.exec(orderBy);
  if (!order) {
    throw graphErrors.unsupportedQuery(
      `The emulator's Graph orders memberships by displayName only ('displayName', 'displayName desc'), not '${orderBy}'.`,
    );
  }
  const sign = order[2]?.toLowerCase() === "desc" ? -1 : 1;
  return kept.sort((a, b) => sign * a.displayName.localeCompare(b.displayName));
}

/**
 * Handlers for `/memberOf` and `/transitiveMemberOf` (the same here: the emulator's directory has
 * no nested groups), their casts and `/$count`, and `getMemberObjects`/`getMemberGroups`.
 */
export function membershipHandlers(ctx: EmulatorContext, skipTokens: SkipTokens) {
  return {
    /** GET …/memberOf[/microsoft.graph.group | /$count]: paged with `$top` and `$skiptoken`. */
    list: (view: MembershipView) => async (exchange: Exchange, params: Params) => {
      const caller = await authenticateUserOrApp(ctx, exchange);
      const target = targetUser(ctx, caller, params.id, READ_MEMBERSHIPS);
      const groups = queriedGroups(exchange, ctx.directory.groupsOf(target), view);
      if (view === "count") {
        exchange.send(200, String(groups.length), {
          ...graphHeaders(exchange),
          "content-type": "text/plain; charset=utf-8",
          "cache-control": "no-store",
        });
        return;
      }
      const selected = parseSelect(exchange, GROUP_PROPERTIES, "microsoft.graph.group");
      const listKey = `${target.value.id}\n${exchange.url.pathname.toLowerCase()}`;
      const page = pageOf(ctx, exchange, skipTokens, listKey, groups, PAGE_SIZES);
      const entitySet = view === "cast" ? "groups" : "directoryObjects";
      const body: Record<string, unknown> = {
        "@odata.context": `${ctx.urls.https}/v1.0/$metadata#${entitySet}${selected ? `(${selected.join(",")})` : ""}`,
      };
      if (queryOption(exchange, "$count")?.toLowerCase() === "true") {
        body["@odata.count"] = groups.length;
      }
      if (page.nextLink) body["@odata.nextLink"] = page.nextLink;
      body.value = page.items.map((group) => ({
        "@odata.type": "#microsoft.graph.group",
        ...pick(groupResource(group), selected ?? GROUP_PROPERTIES),
      }));
      sendGraphJson(exchange, 200, body);
    },

    /** POST …/getMemberObjects and …/getMemberGroups with `{securityEnabledOnly}`: the ids. */
    async memberIds(exchange: Exchange, params: Params): Promise<void> {
      const caller = await authenticateUserOrApp(ctx, exchange);
      const target = targetUser(ctx, caller, params.id, READ_MEMBERSHIPS);
      const body = await exchange.json();
      const securityEnabledOnly =
        typeof body === "object" && body !== null
          ? (body as { securityEnabledOnly?: unknown }).securityEnabledOnly
          : undefined;
      if (typeof securityEnabledOnly !== "boolean") {
        throw graphErrors.badRequest(
          'The request body must be JSON with the boolean property securityEnabledOnly, e.g. {"securityEnabledOnly": false}.',
        );
      }
      const groups = ctx.directory
        .groupsOf(target)
        .filter((group) => !securityEnabledOnly || group.securityEnabled);
      sendGraphJson(exchange, 200, {
        "@odata.context": `${ctx.urls.https}/v1.0/$metadata#Collection(Edm.String)`,
        value: groups.map((group) => group.id),
      });
    },
  };
}
