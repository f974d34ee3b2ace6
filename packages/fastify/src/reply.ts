import { type CspDirectives, entranceErrorAnswer, nodeHeaders } from "@entrance/core";
import type { FastifyError, FastifyReply, FastifyRequest, onSendHookHandler } from "fastify";

/** Writes a web `Response` (core's answer) to a Fastify reply, every Set-Cookie kept separate. */
export async function sendResponse(reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status).headers(nodeHeaders(response));
  return reply.send(Buffer.from(await response.arrayBuffer()));
}

/**
 * An error handler (`app.setErrorHandler(handleEntranceErrors())`): Entrance's errors get core's
 * answer (consent and back, "sign in again", or their documented status; JSON for API calls).
 * Other errors are thrown on, to the parent context's handler.
 */
export function handleEntranceErrors() {
  return async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const answer = entranceErrorAnswer(error, request.entrance);
    if (!answer) throw error;
    return sendResponse(reply, answer);
  };
}

/**
 * An onSend hook (`app.addHook("onSend", securityHeaders())`) giving the app's pages core's
 * security headers: CSP letting sign-out forms reach Entra, no framing, nosniff, referrer and
 * opener policies; `directives` replace CSP ones by name. A header a route sets itself wins.
 */
export function securityHeaders(directives?: CspDirectives): onSendHookHandler {
  return async (request, reply, payload) => {
    if (!request.entrance) {
      // Entrance's own routes answer before the context is made, with headers of their own.
      if (request.server.hasRequestDecorator("entrance")) return payload;
      throw new Error("securityHeaders() needs the entrance plugin registered first");
    }
    const headers = await request.entrance.core.securityHeaders(directives);
    for (const [name, value] of Object.entries(headers)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    return payload;
  };
}
