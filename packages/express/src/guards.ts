import type { Requirement } from "@entrance/core";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { respondToEntranceError } from "./errors.js";
import { escapeHtml } from "./html.js";
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
        (failure: unknown) => answer(failure, req, res, next),
      );
    });
  };
}

/**
 * Lets through users holding any of these app roles (the token's `roles`). Not signed in: as
 * `requireAuth()`. Otherwise a 403 page (or JSON for API requests) says what is missing.
 *
 * @example
 * app.use("/reports", requireRole("Reports.Read", "Entrance.Admin"));
 */
export function requireRole(...roles: string[]): RequestHandler {
  return requirement({ roles });
}

/**
 * Lets through members of any of these groups — object ids, or names from
 * `authorization.groups`. Overage users' groups are resolved through Graph first (cached).
 */
export function requireGroup(...groups: string[]): RequestHandler {
  return requirement({ groups });
}

/** Lets through users granted any of these app permissions (`authorization.permissions`). */
export function requirePermission(...permissions: string[]): RequestHandler {
  return requirement({ permissions });
}

function requirement(wanted: Requirement): RequestHandler {
  const auth = requireAuth();
  let checked = false;
  return (req: Request, res: Response, next: NextFunction) => {
    auth(req, res, (error?: unknown) => {
      const user = req.entrance?.user;
      if (error || !user) {
        next(error);
        return;
      }
      const core = req.entrance.core;
      if (!checked) {
        core.checkRequirement(wanted);
        checked = true;
      }
      core.authorize(user, wanted).then(
        (decision) => {
          if (decision.allowed) next();
          else forbid(req, res, user, decision.missing);
        },
        (failure: unknown) => answer(failure, req, res, next),
      );
    });
  };
}

/** An Entrance error gets its documented answer; anything else goes to Express. */
function answer(failure: unknown, req: Request, res: Response, next: NextFunction): void {
  respondToEntranceError(failure, req, res).then(
    (answered) => {
      if (!answered) next(failure);
    },
    (error: unknown) => next(error),
  );
}

function forbid(
  req: Request,
  res: Response,
  user: { displayName: string | null; username: string | null; roles: readonly string[] },
  missing: { roles: readonly string[]; groups: readonly string[]; permissions: readonly string[] },
): void {
  const needs = [
    missing.roles.length ? `one of the app roles ${missing.roles.join(", ")}` : "",
    missing.groups.length ? `membership of one of the groups ${missing.groups.join(", ")}` : "",
    missing.permissions.length ? `one of the permissions ${missing.permissions.join(", ")}` : "",
  ].filter(Boolean);
  const message = `This needs ${needs.join(" and ")}.`;
  if (wantsJson(req)) {
    res.status(403).json({ error: "forbidden", message, missing });
    return;
  }
  const who = escapeHtml(user.displayName ?? user.username ?? "you");
  const roles = user.roles.length ? escapeHtml(user.roles.join(", ")) : "none";
  res
    .status(403)
    .type("html")
    .set("cache-control", "no-store")
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not allowed</title></head>
<body><main><h1>You don't have access to this page</h1>
<p id="missing">${escapeHtml(message)}</p>
<p>You are signed in as ${who}; your app roles: ${roles}. Ask an administrator for access.</p>
<p><a href="/">Home</a></p></main></body></html>`);
}
