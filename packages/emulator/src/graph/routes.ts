import type { EmulatorContext } from "../context.js";
import { BadRequestBody, type Exchange } from "../http/exchange.js";
import type { Handler, Params, Router } from "../http/router.js";
import { GraphError } from "./errors.js";
import { membershipHandlers } from "./memberships.js";
import { outlookHandlers } from "./outlook.js";
import { PhotoCache } from "./photo.js";
import { photoHandlers } from "./photo-handlers.js";
import { sendGraphError, sendPreflight } from "./respond.js";
import { SkipTokens } from "./skip-token.js";
import { getUserInfo } from "./userinfo.js";
import { getUser } from "./users.js";

/** The two ways to name a user: the signed-in one, and any by object id or UPN. */
const USER_PATHS = ["/v1.0/me", "/v1.0/users/:id"] as const;

/**
 * Registers the emulator's slice of Microsoft Graph: profiles, photos, group memberships,
 * getMemberObjects (where group-overage tokens point), generated mail and calendar events (for
 * incremental consent: they need scopes beyond User.Read) and the OpenID Connect UserInfo endpoint.
 * Everything is https only and checks a delegated Graph access token.
 */
export function registerGraphRoutes(router: Router, ctx: EmulatorContext): void {
  const photos = photoHandlers(ctx, new PhotoCache());
  const memberships = membershipHandlers(ctx, new SkipTokens());
  const outlook = outlookHandlers(ctx, new SkipTokens());

  const graph = (
    methods: readonly string[],
    path: string,
    handler: Handler,
    endpoint: "graph" | "userinfo" = "graph",
  ) => {
    const allowed = [...methods, "OPTIONS"];
    router.on(allowed, path, guarded(ctx, methods, handler), { httpsOnly: true, endpoint });
  };

  for (const base of USER_PATHS) {
    graph(["GET"], base, (exchange, params) => getUser(ctx, exchange, params));
    graph(["GET"], `${base}/photo`, photos.metadata);
    graph(["GET"], `${base}/photo/$value`, photos.value);
    graph(["GET"], `${base}/photos`, photos.list);
    graph(["GET"], `${base}/photos/:size`, photos.metadata);
    graph(["GET"], `${base}/photos/:size/$value`, photos.value);
    for (const relation of ["memberOf", "transitiveMemberOf"]) {
      graph(["GET"], `${base}/${relation}`, memberships.list("list"));
      graph(["GET"], `${base}/${relation}/microsoft.graph.group`, memberships.list("cast"));
      graph(["GET"], `${base}/${relation}/$count`, memberships.list("count"));
    }
    graph(["POST"], `${base}/getMemberObjects`, memberships.memberIds);
    graph(["POST"], `${base}/getMemberGroups`, memberships.memberIds);
    graph(["GET"], `${base}/messages`, outlook.messages.list);
    graph(["GET"], `${base}/messages/:itemId`, outlook.messages.get);
    graph(["GET"], `${base}/events`, outlook.events.list);
    graph(["GET"], `${base}/events/:itemId`, outlook.events.get);
  }
  graph(["GET", "POST"], "/oidc/userinfo", (exchange) => getUserInfo(ctx, exchange), "userinfo");
}

/** Answers CORS preflights, and turns thrown Graph errors and unreadable bodies into Graph's envelope. */
function guarded(ctx: EmulatorContext, methods: readonly string[], handler: Handler): Handler {
  return async (exchange: Exchange, params: Params) => {
    if (exchange.method === "OPTIONS") {
      sendPreflight(exchange, methods);
      return;
    }
    try {
      await handler(exchange, params);
    } catch (error) {
      if (error instanceof GraphError) {
        sendGraphError(ctx, exchange, error);
      } else if (error instanceof BadRequestBody) {
        sendGraphError(
          ctx,
          exchange,
          new GraphError(error.status, "Request_BadRequest", error.message),
        );
      } else {
        throw error;
      }
    }
  };
}
