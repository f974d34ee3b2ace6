import type { NextFunction, Request, RequestHandler, Response } from "express";
import { respondToEntranceError } from "./errors.js";
import { wantsJson } from "./negotiate.js";

/**
 * Lets signed-in users through. Others: a page request is redirected to sign in and brought back;
 * an API request (Accept: application/json, or XHR) gets 401 JSON with the sign-in URL.
 *
 * @example
 * app.get("/profile", requireAuth(), (req, res) => res.render("profile"));
 */
export function requireAuth(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const context = req.entrance;
    if (!context) {
      next(new Error("requireAuth() needs app.use(entrance()) before it"));
      return;
    }
    if (context.isSignedIn) {
      next();
      return;
    }
    if (wantsJson(req)) {
      res.status(401).json({
        error: "unauthenticated",
        message: "Sign in first.",
        loginUrl: context.loginUrl(),
      });
      return;
    }
    res.redirect(302, context.loginUrl());
  };
}

/**
 * Makes sure the signed-in user's token for `scopes` can be had before the route runs: if consent
 * is missing, the user is sent to Entra to grant it and brought back (incremental consent). Not
 * signed in: as `requireAuth()`.
 *
 * @example
 * app.get("/mail", requireScopes("Mail.Read"), async (req, res) => { ... });
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  const auth = requireAuth();
  return (req: Request, res: Response, next: NextFunction) => {
    auth(req, res, (error?: unknown) => {
      if (error || !req.entrance.isSignedIn) {
        next(error);
        return;
      }
      req.entrance.getAccessToken(scopes).then(
        () => next(),
        (failure: unknown) => {
          if (!respondToEntranceError(failure, req, res)) next(failure);
        },
      );
    });
  };
}
