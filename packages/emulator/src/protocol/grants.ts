import type { EmulatorContext } from "../context.js";
import { EntraError, errors } from "./errors.js";
import { parseScopes, type Scope, splitScopes } from "./scopes.js";
import type { Subject } from "./tokens.js";

/** What a grant hands on to the token response. */
export interface Grant {
  readonly subject: Subject;
  readonly requested: readonly Scope[];
  readonly nonce?: string | undefined;
  readonly capabilities: readonly string[];
}

/** The signed-in user of a grant, as token claims need them; a removed user's grants are revoked. */
export function subjectOf(
  ctx: EmulatorContext,
  userId: string,
  sid: string,
  authTime: number,
): Subject {
  const located = ctx.directory.user(userId);
  if (!located) throw errors.refreshRevoked();
  if (!located.value.accountEnabled) throw errors.userDisabled();
  const groupIds = ctx.directory.groupsOf(located).map((g) => g.id);
  return { user: located.value, tenant: located.tenant, groupIds, sid, authTime };
}

/** The `scope` parameter (or the fallback), parsed; every scope must have been consented to. */
export function requestedScopes(
  ctx: EmulatorContext,
  form: URLSearchParams,
  fallback: readonly string[],
  subject: Subject,
): Scope[] {
  const raw = splitScopes(form.get("scope"));
  const scopes = parseScopes(ctx, raw.length ? raw : fallback, subject.tenant.id);
  if (scopes instanceof EntraError) throw scopes;
  return scopes;
}

/** `cp1` and other capabilities from a `claims` request: {"access_token":{"xms_cc":{"values":[…]}}} */
export function capabilitiesOf(claims: string | undefined): string[] {
  if (!claims) return [];
  try {
    const values = (JSON.parse(claims) as { access_token?: { xms_cc?: { values?: unknown } } })
      ?.access_token?.xms_cc?.values;
    return Array.isArray(values) ? values.filter((v): v is string => typeof v === "string") : [];
  } catch {
    throw errors.malformed("The 'claims' parameter is not valid JSON.");
  }
}
