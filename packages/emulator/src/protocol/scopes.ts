import type { AppRegistration } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import { type EntraError, errors } from "./errors.js";
import { GRAPH_APP_ID } from "./tokens.js";

export const OIDC_SCOPES: ReadonlySet<string> = new Set([
  "openid",
  "profile",
  "email",
  "offline_access",
]);

/** The delegated Graph permissions the emulator knows. */
export const GRAPH_SCOPES: ReadonlySet<string> = new Set([
  "User.Read",
  "User.ReadBasic.All",
  "User.Read.All",
  "GroupMember.Read.All",
  "Directory.Read.All",
  "Mail.Read",
  "Mail.ReadBasic",
  "Mail.ReadWrite",
  "Calendars.Read",
  "Calendars.ReadWrite",
]);

const GRAPH_PREFIXES = ["https://graph.microsoft.com/", `${GRAPH_APP_ID}/`];

/** A scope in the emulator's normal form and the resource it belongs to. */
export interface Scope {
  /** `openid`, `User.Read` (Graph), or `api://{clientId}/name`. */
  readonly value: string;
  readonly resource: "oidc" | "graph" | AppRegistration;
  /** `.default`: whatever the app has been granted for the resource. */
  readonly isDefault: boolean;
}

/** Splits the `scope` parameter (space-separated, possibly with repeats) into distinct scopes. */
export function splitScopes(parameter: string | null | undefined): string[] {
  return [...new Set((parameter ?? "").split(/\s+/).filter(Boolean))];
}

/** Normalizes a requested scope, or returns the Entra error for an unknown one. */
export function parseScope(ctx: EmulatorContext, raw: string, tenant: string): Scope | EntraError {
  if (OIDC_SCOPES.has(raw.toLowerCase())) {
    return { value: raw.toLowerCase(), resource: "oidc", isDefault: false };
  }
  const graphPrefix = [...GRAPH_PREFIXES, `${ctx.urls.https}/`].find((p) =>
    raw.toLowerCase().startsWith(p.toLowerCase()),
  );
  const graphName = graphPrefix
    ? raw.slice(graphPrefix.length)
    : raw.includes("/")
      ? undefined
      : raw;
  if (graphName !== undefined) {
    if (graphName === ".default") return { value: ".default", resource: "graph", isDefault: true };
    const known = [...GRAPH_SCOPES].find((s) => s.toLowerCase() === graphName.toLowerCase());
    return known ? { value: known, resource: "graph", isDefault: false } : errors.invalidScope(raw);
  }
  const slash = raw.lastIndexOf("/");
  const resourceId = raw.slice(0, slash).replace(/^api:\/\//i, "");
  const name = raw.slice(slash + 1);
  const app = ctx.directory.app(resourceId.toLowerCase())?.value;
  if (!app) return errors.resourceNotFound(raw.slice(0, slash), tenant);
  if (name === ".default") {
    return { value: `api://${app.clientId}/.default`, resource: app, isDefault: true };
  }
  if (!app.exposedScopes.includes(name)) return errors.invalidScope(raw);
  return { value: `api://${app.clientId}/${name}`, resource: app, isDefault: false };
}

/** Parses every scope of a request; the first unknown one is the error. */
export function parseScopes(
  ctx: EmulatorContext,
  raws: readonly string[],
  tenant: string,
): Scope[] | EntraError {
  const parsed: Scope[] = [];
  for (const raw of raws) {
    const scope = parseScope(ctx, raw, tenant);
    if (scope instanceof Error) return scope;
    parsed.push(scope);
  }
  return parsed;
}

/** The one resource a token request is for (Graph when only OpenID scopes are asked). */
export function tokenResource(
  scopes: readonly Scope[],
): { kind: "graph" } | { kind: "api"; app: AppRegistration } | EntraError {
  const resources = new Set(scopes.map((s) => s.resource).filter((r) => r !== "oidc"));
  if (resources.size > 1) return errors.multipleResources();
  const [only] = resources;
  return only === undefined || only === "graph" ? { kind: "graph" } : { kind: "api", app: only };
}

/** Every scope the user has granted the app, including what its registration pre-grants. */
export function grantedScopes(
  ctx: EmulatorContext,
  userId: string,
  app: AppRegistration,
): Set<string> {
  const granted = new Set(ctx.state.granted(userId, app.clientId));
  for (const raw of app.grantedScopes) {
    const scope = parseScope(ctx, raw, "");
    if (!(scope instanceof Error)) granted.add(scope.value);
  }
  return granted;
}

/** The requested scopes that still need the user's consent. */
export function missingConsent(
  ctx: EmulatorContext,
  userId: string,
  app: AppRegistration,
  requested: readonly Scope[],
): Scope[] {
  const granted = grantedScopes(ctx, userId, app);
  return requested.filter((s) => !s.isDefault && !granted.has(s.value));
}

/** The scopes that go into a token for `resource`: all that were granted for it. */
export function scopesForResource(
  granted: ReadonlySet<string>,
  resource: { kind: "graph" } | { kind: "api"; app: AppRegistration },
): { token: string[]; response: string[] } {
  if (resource.kind === "graph") {
    const graph = [...granted].filter((s) => GRAPH_SCOPES.has(s));
    const oidc = ["openid", "profile", "email"].filter((s) => granted.has(s));
    return { token: [...graph, ...oidc], response: [...graph, ...oidc] };
  }
  const prefix = `api://${resource.app.clientId}/`;
  const names = [...granted].filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
  return { token: names, response: names.map((n) => prefix + n) };
}
