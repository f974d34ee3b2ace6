/**
 * @entrance/next: sign-in with Microsoft Entra ID for Next.js App Router apps on the Node.js
 * runtime — a translator between Next and @entrance/core: route handlers, `auth()`, guards for
 * route handlers, and a proxy that sends signed-out requests to sign in.
 * @module
 */
export * from "@entrance/core/app";
export type { NextEntranceOptions } from "./core.js";
export { entrance, type MountedHandler, type NextEntrance, type RouteHandler } from "./entrance.js";
export type { ErrorsAnswered, WithSignIn } from "./errors.js";
export type { Guarded, GuardedHandler, RouteGuards } from "./guards.js";
