import type { NextFunction, Request, RequestHandler, Response } from "express";

/** Whether a request wants JSON (an API call or XHR) rather than a page. */
export function wantsJson(req: Request): boolean {
  if (req.xhr) return true;
  return req.accepts(["html", "json"]) === "json";
}

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
