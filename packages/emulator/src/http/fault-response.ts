import type { Fault } from "../control/faults.js";
import type { Exchange } from "./exchange.js";

/** A fault that answers with an Entra error. */
export type ErrorFault = Extract<Fault, { kind: "error" }>;

/** Writes an Entra error answer for an `error` fault (the protocol layer knows its shape). */
export type ErrorFaultResponder = (exchange: Exchange, fault: ErrorFault) => void;

/**
 * Plays a queued fault on an exchange. Returns true when the fault answered (or dropped) the
 * request, false when the request should go on (after a delay).
 */
export async function playFault(
  fault: Fault,
  exchange: Exchange,
  sendError: ErrorFaultResponder,
): Promise<boolean> {
  switch (fault.kind) {
    case "delay":
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      return false;
    case "status":
      exchange.sendJson(fault.status, fault.body ?? { error: "server_error" }, {
        ...fault.headers,
      });
      return true;
    case "malformed":
      exchange.send(200, '{"token_type":"Bearer","access_tok', {
        "content-type": "application/json; charset=utf-8",
      });
      return true;
    case "truncated": {
      const body = Buffer.from(
        JSON.stringify({ token_type: "Bearer", expires_in: 3600, access_token: "x".repeat(64) }),
      );
      exchange.res.writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "content-length": String(body.length),
      });
      // The rest never comes: once the first half is on its way, the connection closes, and the
      // client sees a body shorter than announced (destroying at once would discard the half).
      await new Promise<void>((resolve) => {
        exchange.res.write(body.subarray(0, body.length >> 1), () => {
          setTimeout(() => {
            exchange.res.destroy();
            resolve();
          }, 50);
        });
      });
      return true;
    }
    case "id_token":
      // Only the token endpoint can play it (it changes a token it mints): answer normally.
      return false;
    case "drop":
      exchange.req.socket.destroy();
      return true;
    case "error":
      sendError(exchange, fault);
      return true;
  }
}
