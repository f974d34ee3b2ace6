import {
  type EntranceMiddleware,
  type ExpressEntranceOptions,
  entrance,
  requireAuth,
} from "@entrance/express";
import express, { type ErrorRequestHandler, type Express } from "express";
import { errorPage, homePage, type PageLocals, profilePage } from "./views.js";

/** The reference app and the Entrance middleware it mounted. */
export interface ReferenceApp {
  readonly app: Express;
  readonly entrance: EntranceMiddleware;
}

/**
 * The Entrance reference application: home with both sign-in buttons, a profile with the user
 * record and the ID token's claims, `/api/me`, sign-out, and an error page.
 */
export function createApp(options: ExpressEntranceOptions = {}): ReferenceApp {
  // The onSignIn hook is where an app maps the user onto its own model; this one only keeps the
  // ID token's claims in memory to show them on the profile page.
  const claimsByUser = new Map<string, Record<string, unknown>>();
  const auth = entrance({
    ...options,
    onSignIn: async (event) => {
      claimsByUser.set(`${event.user.tenantId}/${event.user.objectId}`, { ...event.claims });
      return options.onSignIn ? options.onSignIn(event) : true;
    },
  });

  const app = express();
  app.disable("x-powered-by");
  app.use(auth);

  app.get("/", (_req, res) => {
    res.type("html").send(homePage(res.locals as PageLocals));
  });

  app.get("/profile", requireAuth(), (req, res) => {
    const user = req.entrance.user;
    if (!user) return;
    const claims = claimsByUser.get(`${user.tenantId}/${user.objectId}`);
    res.type("html").send(profilePage({ ...(res.locals as PageLocals), user }, claims));
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
