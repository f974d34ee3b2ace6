/**
 * Who called a `requireBearer` route of an Azure AD B2C app. B2C's app-only tokens (client
 * credentials at a policy's token endpoint) carry the application permissions an administrator
 * granted in `scp`, as its customers' tokens carry their delegated scopes, and no `roles`
 * (Microsoft Learn, "Set up OAuth 2.0 client credentials flow in Azure Active Directory B2C"). No
 * claim says which kind a token is, so the route's own names decide: a token that holds the route's
 * `roles` (the values of the API's app roles for applications) and not its `scopes` is the app's;
 * any other token is a customer's. A route that takes customers must therefore name `scopes`:
 * without them an app's token would pass as a customer's.
 */
import { EntranceError } from "../errors/entrance-error.js";
import type { Caller } from "./caller.js";

/** What a route asks, as the policy reads its options. */
export interface B2cRoute {
  readonly users: boolean;
  readonly apps: boolean;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  readonly all: boolean;
}

/** Throws `config_invalid` for a route B2C's tokens cannot be told apart at. */
export function checkB2cRoute(route: B2cRoute): void {
  if (route.users && route.scopes.length === 0) {
    throw new EntranceError(
      "config_invalid",
      "requireBearer() in an Azure AD B2C app needs `scopes` for customers' tokens: B2C puts an app's application permissions in `scp` too, so without the delegated scopes to look for, any app's token would pass as a customer's. Name the scopes (e.g. scopes: [\"Orders.Read\"]), or take apps only with `roles`",
    );
  }
}

/** The caller as the route sees it: the app's (its `scp` read as `roles`) or as verified. */
export function b2cCaller(verified: Caller, route: B2cRoute): Caller {
  if (route.roles.length === 0) return verified;
  const holds = (required: readonly string[]) =>
    route.all
      ? required.every((name) => verified.scopes.includes(name))
      : required.some((name) => verified.scopes.includes(name));
  const customers = route.users && route.scopes.length > 0 && holds(route.scopes);
  const app = !route.users || (holds(route.roles) && !customers);
  if (!app) return verified;
  return Object.freeze({
    ...verified,
    kind: "app",
    // `sub` (objectId) is the app's service principal; its permissions are what `scp` lists.
    roles: verified.scopes,
    scopes: Object.freeze([] as string[]),
  });
}
