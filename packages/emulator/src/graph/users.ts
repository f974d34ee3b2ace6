import type { User } from "../config/schema.js";
import type { EmulatorContext } from "../context.js";
import type { Exchange } from "../http/exchange.js";
import type { Params } from "../http/router.js";
import { authenticateUserOrApp, READ_PROFILE, targetUser } from "./auth.js";
import { parseSelect, pick } from "./query.js";
import { sendGraphJson } from "./respond.js";

/** What Graph v1.0 returns for a user without `$select`, in Graph's order. */
const DEFAULT_PROPERTIES = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
] as const;

/** Every user property the emulator can return; others Graph has are a 400 here. */
const SELECTABLE = [...DEFAULT_PROPERTIES, "accountEnabled", "userType"] as const;

/** The user as a Graph `microsoft.graph.user` resource. */
function userResource(user: User): Record<string, unknown> {
  return {
    businessPhones: [...user.businessPhones],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: user.mobilePhone,
    officeLocation: user.officeLocation,
    preferredLanguage: user.preferredLanguage,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    accountEnabled: user.accountEnabled,
    userType: user.userType,
  };
}

/** GET /v1.0/me and /v1.0/users/{id | userPrincipalName}, with `$select`. */
export async function getUser(
  ctx: EmulatorContext,
  exchange: Exchange,
  params: Params,
): Promise<void> {
  const caller = await authenticateUserOrApp(ctx, exchange);
  const target = targetUser(ctx, caller, params.id, READ_PROFILE);
  const selected = parseSelect(exchange, SELECTABLE, "microsoft.graph.user");
  const context = selected
    ? `${ctx.urls.https}/v1.0/$metadata#users(${selected.join(",")})/$entity`
    : `${ctx.urls.https}/v1.0/$metadata#users/$entity`;
  sendGraphJson(exchange, 200, {
    "@odata.context": context,
    ...pick(userResource(target.value), selected ?? DEFAULT_PROPERTIES),
  });
}
