import type { User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Located } from "../directory.js";
import type { Exchange } from "../http/exchange.js";
import type { Params } from "../http/router.js";
import { authenticate, type Caller, type Permissions, READ_CALENDARS, READ_MAIL } from "./auth.js";
import { graphErrors } from "./errors.js";
import { EVENT_PROPERTIES, eventsOf } from "./events-data.js";
import { MESSAGE_PROPERTIES, messagesOf } from "./messages-data.js";
import type { OutlookItem } from "./outlook-item.js";
import { pageOf } from "./paging.js";
import { parseSelect, pick, queryOption } from "./query.js";
import { sendGraphJson } from "./respond.js";
import type { SkipTokens } from "./skip-token.js";

/** What differs between mail and calendars. */
interface OutlookCollection {
  /** The path segment, also the entity set in `@odata.context`. */
  readonly segment: "messages" | "events";
  readonly typeName: string;
  readonly permissions: Permissions;
  /** Every property served, in Graph's order; all of them without `$select`. */
  readonly properties: readonly string[];
  readonly itemsOf: (user: Located<User>) => readonly OutlookItem[];
  /** The one property `$orderby` takes, and the order of the list without `$orderby`. */
  readonly orderBy: { readonly property: string; readonly descending: boolean };
  /** Properties hidden from a caller who holds none of `unlessAnyOf`. */
  readonly restricted?: {
    readonly properties: readonly string[];
    readonly unlessAnyOf: readonly string[];
  };
}

// Graph's page sizes for Outlook lists: 10 without $top, at most 1000.
const PAGE_SIZES = { default: 10, max: 1000 };

const MESSAGES: OutlookCollection = {
  segment: "messages",
  typeName: "microsoft.graph.message",
  permissions: READ_MAIL,
  properties: MESSAGE_PROPERTIES,
  itemsOf: messagesOf,
  orderBy: { property: "receivedDateTime", descending: true },
  // Mail.ReadBasic reads everything but the body, as Graph's permission reference says.
  restricted: { properties: ["body", "bodyPreview"], unlessAnyOf: ["Mail.Read", "Mail.ReadWrite"] },
};

const EVENTS: OutlookCollection = {
  segment: "events",
  typeName: "microsoft.graph.event",
  permissions: READ_CALENDARS,
  properties: EVENT_PROPERTIES,
  itemsOf: eventsOf,
  orderBy: { property: "start/dateTime", descending: false },
};

/** Query options Graph has for Outlook lists that the emulator does not implement. */
const UNSUPPORTED = ["$filter", "$search", "$count", "$skip", "$expand"];

function holdsAny(caller: Caller, scopes: readonly string[]): boolean {
  return scopes.some((scope) => caller.scopes.has(scope.toLowerCase()));
}

/**
 * The user whose mailbox a request reads: only ever the caller. With delegated permissions Graph
 * lets one user read another's mail or calendar only through shared-mailbox or delegate rights,
 * which the emulator does not model, so every other id, known or not, is refused alike.
 */
function mailboxOwner(
  ctx: EmulatorContext,
  caller: Caller,
  id: string | undefined,
  collection: OutlookCollection,
): Located<User> {
  if (id !== undefined && ctx.directory.user(id)?.value.id !== caller.user.value.id) {
    throw graphErrors.accessDenied(
      `The emulator's Graph serves the signed-in user's own ${collection.segment} only: a delegated token reads another user's mailbox only through shared-mailbox or delegate rights, which the emulator does not model.`,
    );
  }
  if (!holdsAny(caller, collection.permissions.self)) throw graphErrors.accessDenied();
  return caller.user;
}

/** How to shape items for this request: `$select` and the caller's permissions. */
function shaper(exchange: Exchange, caller: Caller, collection: OutlookCollection) {
  const selected = parseSelect(exchange, collection.properties, collection.typeName);
  const { restricted } = collection;
  const hidden =
    restricted && !holdsAny(caller, restricted.unlessAnyOf) ? restricted.properties : [];
  // Graph sends the id (and the etag) of an Outlook item whatever `$select` says.
  const shown = (selected ? ["id", ...selected] : collection.properties).filter(
    (property, i, all) => !hidden.includes(property) && all.indexOf(property) === i,
  );
  return {
    selected,
    shape: (item: OutlookItem) => ({ "@odata.etag": item.etag, ...pick(item.resource, shown) }),
  };
}

/** `$orderby` on the collection's one sortable property, or its default order. */
function ordered(
  exchange: Exchange,
  items: readonly OutlookItem[],
  collection: OutlookCollection,
): readonly OutlookItem[] {
  const raw = queryOption(exchange, "$orderby");
  if (raw === undefined) return items;
  const { property, descending } = collection.orderBy;
  const order = /^\s*(\S+)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  if (order?.[1]?.toLowerCase() !== property.toLowerCase()) {
    throw graphErrors.unsupportedQuery(
      `The emulator's Graph orders ${collection.segment} by ${property} only ('${property} asc' or '${property} desc'), not '${raw}'.`,
    );
  }
  const wantDescending = order[2]?.toLowerCase() === "desc";
  return wantDescending === descending ? items : [...items].reverse();
}

function contextUrl(
  ctx: EmulatorContext,
  owner: Located<User>,
  collection: OutlookCollection,
  selected: readonly string[] | undefined,
): string {
  const columns = selected ? `(${selected.join(",")})` : "";
  return `${ctx.urls.https}/v1.0/$metadata#users('${owner.value.id}')/${collection.segment}${columns}`;
}

function handlers(ctx: EmulatorContext, skipTokens: SkipTokens, collection: OutlookCollection) {
  return {
    /** GET …/messages or …/events: paged by `$top` and `$skiptoken`, with `$select`, `$orderby`. */
    async list(exchange: Exchange, params: Params): Promise<void> {
      const caller = await authenticate(ctx, exchange);
      const owner = mailboxOwner(ctx, caller, params.id, collection);
      for (const option of UNSUPPORTED) {
        if (queryOption(exchange, option) !== undefined) {
          throw graphErrors.unsupportedQuery(
            `The emulator's Graph does not implement ${option} on ${collection.segment}. It takes $top, $select and $orderby=${collection.orderBy.property} asc|desc, and pages by @odata.nextLink.`,
          );
        }
      }
      const { selected, shape } = shaper(exchange, caller, collection);
      const items = ordered(exchange, collection.itemsOf(owner), collection);
      const list = `${owner.value.id}\n${exchange.url.pathname.toLowerCase()}`;
      const page = pageOf(ctx, exchange, skipTokens, list, items, PAGE_SIZES);
      sendGraphJson(exchange, 200, {
        "@odata.context": contextUrl(ctx, owner, collection, selected),
        ...(page.nextLink === undefined ? {} : { "@odata.nextLink": page.nextLink }),
        value: page.items.map(shape),
      });
    },

    /** GET …/messages/{id} or …/events/{id}: one item with `$select`, or 404 ErrorItemNotFound. */
    async get(exchange: Exchange, params: Params): Promise<void> {
      const caller = await authenticate(ctx, exchange);
      const owner = mailboxOwner(ctx, caller, params.id, collection);
      const { selected, shape } = shaper(exchange, caller, collection);
      const item = collection.itemsOf(owner).find((candidate) => candidate.id === params.itemId);
      if (!item) throw graphErrors.itemNotFound();
      sendGraphJson(exchange, 200, {
        "@odata.context": `${contextUrl(ctx, owner, collection, selected)}/$entity`,
        ...shape(item),
      });
    },
  };
}

/**
 * Handlers for the signed-in user's generated mail (`/messages`) and calendar (`/events`), which
 * need Mail.Read and Calendars.Read beyond the User.Read of a first sign-in.
 */
export function outlookHandlers(ctx: EmulatorContext, skipTokens: SkipTokens) {
  return {
    messages: handlers(ctx, skipTokens, MESSAGES),
    events: handlers(ctx, skipTokens, EVENTS),
  };
}
