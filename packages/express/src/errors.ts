import { findEntranceError, writeWebResponse } from "@entrance/core";
import type { ErrorRequestHandler, Request, Response } from "express";
import { escapeHtml } from "./html.js";
import { toWebRequest, wantsJson } from "./negotiate.js";

/**
 * Error middleware (mount after your routes) that turns Entrance's token errors into what the user
 * needs: `interaction_required` (consent to more scopes, a claims challenge) becomes a redirect to
 * Entra asking for exactly that and back to this page; `reauthentication_required` (refresh token
 * revoked or expired) a page that says so and offers to sign in again. API requests get 401 JSON
 * with the sign-in URL. Every other Entrance error gets its documented status (docs/errors.md), as
 * JSON for API requests and as a page otherwise, never with a stack trace. Errors that are not
 * Entrance's go on to your error handlers.
 *
 * @example
 * app.get("/mail", async (req, res) => res.json(await req.entrance.graph.api("/me/messages").get()));
 * app.use(handleEntranceErrors());
 */
export function handleEntranceErrors(): ErrorRequestHandler {
  return (error, req, res, next) => {
    respondToEntranceError(error, req, res).then(
      (answered) => {
        if (!answered) next(error);
      },
      (failure: unknown) => next(failure),
    );
  };
}

/**
 * Answers an Entrance error: interaction and re-authentication as above, any other with its
 * status from core. False for an error that is not Entrance's.
 */
export async function respondToEntranceError(
  error: unknown,
  req: Request,
  res: Response,
): Promise<boolean> {
  const entranceError = findEntranceError(error);
  const context = req.entrance;
  if (!entranceError || !context || res.headersSent) return false;
  if (respondToInteraction(entranceError, req, res)) return true;
  const core = context.core;
  await writeWebResponse(
    res,
    core.errorResponse(entranceError, toWebRequest(req, core.config.baseUrl)),
  );
  return true;
}

/** Answers an interaction or re-authentication error; false for any other error. */
function respondToInteraction(
  entranceError: NonNullable<ReturnType<typeof findEntranceError>>,
  req: Request,
  res: Response,
): boolean {
  const context = req.entrance;
  if (entranceError.code === "interaction_required" && entranceError.interaction) {
    const loginUrl = context.loginUrlFor(entranceError.interaction);
    if (wantsJson(req)) {
      res
        .status(401)
        .json({ error: "interaction_required", message: "More consent is needed.", loginUrl });
    } else {
      res.redirect(302, loginUrl);
    }
    return true;
  }
  if (entranceError.code !== "reauthentication_required") return false;
  const loginUrl = context.loginUrl();
  if (wantsJson(req)) {
    res
      .status(401)
      .json({ error: "reauthentication_required", message: "Sign in again.", loginUrl });
    return true;
  }
  res
    .status(401)
    .type("html")
    .set("cache-control", "no-store")
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in again</title></head>
<body><main><h1>Please sign in again</h1>
<p id="message">Your Microsoft sign-in for this app has expired or was revoked, so it can no longer act on your behalf.</p>
<p><a id="sign-in-again" href="${escapeHtml(loginUrl)}">Sign in again</a></p></main></body></html>`);
  return true;
}
