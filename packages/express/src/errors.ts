import { findEntranceError, writeWebResponse } from "@entrance/core";
import type { ErrorRequestHandler } from "express";

/**
 * Mount after your routes: Entrance's errors get core's answer (consent and back, "sign in
 * again", or their documented status; JSON for API calls). Other errors go on.
 */
export function handleEntranceErrors(): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (!findEntranceError(error) || !req.entrance || res.headersSent) return next(error);
    writeWebResponse(res, req.entrance.core.errorResponse(error, req.entrance.request)).catch(next);
  };
}
