import { entranceAdmin } from "@entrance/admin/express";
import {
  AuthenticationHandlerOptions,
  type Caller,
  type EntranceMiddleware,
  type ExpressEntranceOptions,
  entrance,
  handleEntranceErrors,
  requireAuth,
  requireBearer,
  requireScopes,
  securityHeaders,
} from "@entrance/express";
import { ResponseType } from "@microsoft/microsoft-graph-client";
import express, { type ErrorRequestHandler, type Express } from "express";
import {
  errorPage,
  homePage,
  mailPage,
  ordersPage,
  type PageLocals,
  profilePage,
  tokensPage,
} from "./views.js";

/** The reference app and the Entrance middleware it mounted. */
export interface ReferenceApp {
  readonly app: Express;
  readonly entrance: EntranceMiddleware;
}

/**
 * The Entrance reference application: home with both sign-in buttons, a profile with the user
 * record and the ID token's claims, `/api/me`, the app's own API behind bearer tokens
 * (`/api/orders` for users, `/api/orders/all` for daemons) and a page calling it, sign-out, and
 * an error page.
 */
export function createApp(options: ExpressEntranceOptions = {}): ReferenceApp {
  // The onSignIn hook is where an app maps the user onto its own model; this one only keeps the
  // ID token's claims in memory to show them on the profile page.
  const claimsByUser = new Map<string, Record<string, unknown>>();
  const auth = entrance({
    ...options,
    downstreamApis: { ...ownApi(options), ...options.downstreamApis },
    onSignIn: async (event) => {
      // Not `sid`: it is what front-channel logout is keyed on, so it stays off every page.
      const { sid: _sid, ...shown } = event.claims;
      claimsByUser.set(`${event.user.tenantId}/${event.user.objectId}`, shown);
      return options.onSignIn ? options.onSignIn(event) : true;
    },
  });

  const app = express();
  app.disable("x-powered-by");
  app.use(auth);
  // CSP, no framing, nosniff; signed-in pages are already no-store (Entrance's default).
  app.use(securityHeaders());

  app.get("/", (_req, res) => {
    res.type("html").send(homePage(res.locals as PageLocals));
  });

  app.get("/profile", requireAuth(), async (req, res) => {
    const user = req.entrance.user;
    if (!user) return;
    const claims = claimsByUser.get(`${user.tenantId}/${user.objectId}`);
    if (user.accountKind === "customer") {
      // Azure AD B2C: no Microsoft Graph for its customers (b2c_graph_unsupported); the ID token.
      const none = { me: null, hasPhoto: false, groups: [] };
      res.type("html").send(profilePage({ ...(res.locals as PageLocals), user }, claims, none));
      return;
    }
    const graph = req.entrance.graph;
    // Groups: the token's, or for a user of more than 200 groups resolved through Graph (cached).
    const [me, photo, groups] = await Promise.all([
      graph.api("/me").get() as Promise<Record<string, unknown>>,
      graph
        .api("/me/photo")
        .get()
        .then(
          () => true,
          (error: { statusCode?: number }) => {
            if (error.statusCode === 404) return false;
            throw error;
          },
        ),
      auth.core.groupsOf(user),
    ]);
    res.type("html").send(
      profilePage({ ...(res.locals as PageLocals), user }, claims, {
        me,
        hasPhoto: photo,
        groups,
      }),
    );
  });

  app.get("/profile/photo", requireAuth(), async (req, res) => {
    const bytes = (await req.entrance.graph
      .api("/me/photo/$value")
      .responseType(ResponseType.ARRAYBUFFER)
      .get()) as ArrayBuffer;
    res.type("image/jpeg").set("cache-control", "private, max-age=300").send(Buffer.from(bytes));
  });

  // Mail.Read is not asked at sign-in: the first visit sends the user to consent, then back here.
  app.get("/mail", requireScopes("Mail.Read"), async (req, res) => {
    const messages = (await req.entrance.graph
      .api("/me/messages")
      .top(10)
      .middlewareOptions([new AuthenticationHandlerOptions(undefined, { scopes: ["Mail.Read"] })])
      .get()) as { value: Record<string, unknown>[] };
    res.type("html").send(mailPage(res.locals as PageLocals, messages.value));
  });

  app.get("/tokens", requireAuth(), async (req, res) => {
    const user = req.entrance.user;
    if (!user) return;
    res
      .type("html")
      .send(tokensPage(res.locals as PageLocals, await auth.core.describeTokens(user)));
  });

  // Who is signed in, as JSON: never a token.
  app.get("/api/me", requireAuth(), (req, res) => {
    const user = req.entrance.user;
    if (!user) return;
    res.json({
      tenantId: user.tenantId,
      objectId: user.objectId,
      displayName: user.displayName,
      username: user.username,
      mail: user.mail,
      roles: user.roles,
      groups: user.groups,
      groupsOverage: user.groupsOverage,
    });
  });

  // The app's own API, for bearer tokens: users through an app with the delegated scope, and
  // daemons holding the application permission. A multi-tenant app must say whose tokens count.
  if (auth.core.trustsNoTenant) {
    console.warn(
      "webapp: /api/orders is off: set ENTRANCE_TRUSTED_TENANTS to the tenants whose tokens it accepts",
    );
  } else {
    app.get("/api/orders", requireBearer({ scopes: [ORDERS_SCOPE] }), (req, res) => {
      const caller = req.entrance.caller;
      if (!caller) return;
      res.json({ caller: shownCaller(caller), orders: sampleOrders(caller.objectId) });
    });
    // Daemons by client id (ORDERS_DAEMON_APPS), or any holding the role. An Azure AD B2C app
    // must name them: B2C writes their permissions in `scp`, as it writes customers' scopes.
    const daemons = daemonApps(options);
    if (auth.core.config.b2c && !daemons) {
      console.warn(
        "webapp: /api/orders/all is off: in a B2C app, set ORDERS_DAEMON_APPS to the client ids of the daemons it takes",
      );
    } else {
      const all = requireBearer({
        roles: [ORDERS_ALL_ROLE],
        ...(daemons ? { apps: daemons } : {}),
      });
      app.get("/api/orders/all", all, (req, res) => {
        const caller = req.entrance.caller;
        if (!caller) return;
        res.json({ caller: shownCaller(caller), orders: sampleOrders("every user") });
      });
    }
    // The API calling Microsoft Graph as its caller (on-behalf-of): the profile of whoever sent
    // the token. Consent or a claims challenge downstream comes back to the caller as a 401 with
    // the challenge (handleEntranceErrors below); the Graph token never leaves this server.
    app.get("/api/profile", requireBearer({ scopes: [ORDERS_SCOPE] }), async (req, res) => {
      const me = (await req.entrance.graphOnBehalfOf.api("/me").get()) as Record<string, unknown>;
      res.json({
        displayName: me.displayName,
        mail: me.mail,
        jobTitle: me.jobTitle,
        userPrincipalName: me.userPrincipalName,
      });
    });
    // The app calling its own API server-side, configured as the downstream API "orders": the
    // user's token for Orders.Read goes to /api/ on this origin only, and stays on the server.
    // Consent not given yet is an interaction_required error: to Entra and back (below).
    app.get("/orders", requireAuth(), async (req, res) => {
      const answer = await req.entrance
        .downstream("orders")
        .fetch("orders", { headers: { accept: "application/json" } });
      res
        .type("html")
        .send(ordersPage(res.locals as PageLocals, answer.status, await answer.json()));
    });
  }
  // For a load balancer's probe: 503 while a store does not answer, else 200 (with
  // `status: "warn"` when only Entra does not: every instance shares it).
  app.get("/healthz", async (_req, res) => {
    const health = await auth.core.health();
    res
      .status(health.status === "fail" ? 503 : 200)
      .set("cache-control", "no-store")
      .json(health);
  });

  // The admin panel, for users holding the Entrance.Admin app role.
  app.use("/admin", entranceAdmin());

  // Consent or a claims challenge: to Entra and back; a revoked sign-in: a page that says so.
  app.use(handleEntranceErrors());
  app.use((_req, res) => {
    res
      .status(404)
      .type("html")
      .send(errorPage(res.locals as PageLocals, 404, "There is no such page."));
  });
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    console.error("webapp: request failed:", error instanceof Error ? error.message : error);
    res
      .status(500)
      .type("html")
      .send(errorPage(res.locals as PageLocals, 500, "The app could not answer this request."));
  };
  app.use(onError);
  return { app, entrance: auth };
}

/** The delegated scope of the app's API, and the application permission daemons hold. */
const ORDERS_SCOPE = "Orders.Read";
const ORDERS_ALL_ROLE = "Orders.Read.All";

/**
 * The app's own API as the downstream API "orders": `{baseUrl}/api/` with the delegated scope
 * `api://{clientId}/Orders.Read`. From the options, or the environment the configuration reads;
 * none when either is missing (the configuration then says what is).
 */
function ownApi(
  options: ExpressEntranceOptions,
): NonNullable<ExpressEntranceOptions["downstreamApis"]> {
  const env = options.env ?? process.env;
  const baseUrl = options.baseUrl ?? env.ENTRANCE_BASE_URL;
  const clientId = options.clientId ?? env.AZURE_CLIENT_ID;
  if (!baseUrl || !clientId || !URL.canParse(baseUrl)) return {};
  return {
    orders: {
      baseUrl: new URL("/api/", baseUrl).href,
      scopes: [`api://${clientId}/${ORDERS_SCOPE}`],
    },
  };
}

/** The daemons `/api/orders/all` takes (ORDERS_DAEMON_APPS, comma-separated client ids), if named. */
function daemonApps(options: ExpressEntranceOptions): string[] | undefined {
  const named = (options.env ?? process.env).ORDERS_DAEMON_APPS;
  const apps =
    named
      ?.split(",")
      .map((id) => id.trim())
      .filter(Boolean) ?? [];
  return apps.length ? apps : undefined;
}

/** What the API says of its caller: who, through which app, with what (never the token). */
function shownCaller(caller: Caller) {
  const { kind, tenantId, objectId, appId, scopes, roles, version } = caller;
  return { kind, tenantId, objectId, appId, scopes, roles, version };
}

/** Example data: two orders of `owner`. */
function sampleOrders(owner: string) {
  return [
    { id: "1001", item: "Surface Laptop", quantity: 1, owner },
    { id: "1002", item: "USB-C dock", quantity: 2, owner },
  ];
}
