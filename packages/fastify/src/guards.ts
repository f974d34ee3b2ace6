import { type AdapterGuards, adapterGuards } from "@entrance/core";
import type { preHandlerHookHandler } from "fastify";
import { sendResponse } from "./reply.js";

/** The guards, each a preHandler; `requireBearer` puts the caller on `request.entrance.caller`. */
export type FastifyGuards = AdapterGuards<preHandlerHookHandler>;

/** Core's guards as preHandlers: each sends the guard's answer, or lets the request on. */
export const guards = adapterGuards<preHandlerHookHandler>((guard) => (request, reply, done) => {
  if (!request.entrance) return done(new Error("Entrance guards need the entrance plugin first"));
  const answer = guard(request.entrance);
  if (answer === null) return done();
  if (answer instanceof Response) return void sendResponse(reply, answer).catch(done);
  answer.then((late) => {
    if (late) return void sendResponse(reply, late).catch(done);
    done();
  }, done);
});

/**
 * The standalone guards, as Fastify preHandlers: checked against the most recent registration when
 * built after it, else on the first request. `app.entrance.requireRole(…)` checks at once.
 */
export const {
  requireAuth,
  requireScopes,
  requireRole,
  requireGroup,
  requirePermission,
  requireBearer,
} = guards.standalone;
