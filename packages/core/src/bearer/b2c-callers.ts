/**
 * Who called a `requireBearer` route of an Azure AD B2C app. B2C's app-only tokens (client
 * credentials at a policy's token endpoint) carry the application permissions an administrator
 * granted in `scp`, as its customers' tokens carry their delegated scopes, and no `roles`
 * (Microsoft Learn, "Set up OAuth 2.0 client credentials flow in Azure Active Directory B2C"). No
 * claim of a documented shape says which kind a token is, and the names in `scp` cannot either: an
 * app role and a delegated scope may share a value. What does is the calling app's id (`azp`): a
 * route that takes apps names them (`apps`), and a token of one of them is the app's — its `scp`
 * read as roles — while any other token is a customer's. A route that takes customers must name
 * `scopes`: without them, an unnamed daemon's token would pass as a customer's.
 */
import { EntranceError } from "../errors/entrance-error.js";
import type { Caller } from "./caller.js";

/** What a route asks, as the policy reads its options. */
export interface B2cRoute {
  readonly users: boolean;
  readonly apps: boolean;
  readonly scopes: readonly string[];
  /** The apps whose tokens are apps' (`apps`), by lower-case client id. */
  readonly appIds: ReadonlySet<string> | null;
}

/** Throws `config_invalid` for a route B2C's tokens cannot be told apart at. */
export function checkB2cRoute(route: B2cRoute): void {
  if (route.users && route.scopes.length === 0) {
    throw new EntranceError(
      "config_invalid",
      "requireBearer() in an Azure AD B2C app needs `scopes` for customers' tokens: B2C puts an app's application permissions in `scp` too, so without the delegated scopes to look for, any app's token would pass as a customer's. Name the scopes (e.g. scopes: [\"Orders.Read\"]), or take apps only with `roles` and `apps`",
    );
  }
  if (route.apps && route.appIds === null) {
    throw new EntranceError(
      "config_invalid",
      "requireBearer() in an Azure AD B2C app needs `apps` (the client ids of the daemons it takes) beside `roles`: B2C writes an app's permissions in `scp` as it writes a customer's scopes, so only the calling app's id (azp) tells a daemon's token from a customer's",
    );
  }
}

/** The caller as the route sees it: a named app's (its `scp` read as `roles`), else as verified. */
export function b2cCaller(verified: Caller, route: B2cRoute): Caller {
  if (!route.appIds?.has(verified.appId.toLowerCase())) return verified;
  return Object.freeze({
    ...verified,
    kind: "app",
    // `sub` (objectId) is the app's service principal; its permissions are what `scp` lists.
    roles: verified.scopes,
    scopes: Object.freeze([] as string[]),
  });
}
