import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { GRAPH_APP_ID, GRAPH_APPLICATION_PERMISSIONS } from "../microsoft-graph.js";

const guid = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    "must be a lower-case GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47",
  );

/** A PEM X.509 certificate with an RSA key, as uploaded to an app registration. */
const certificatePem = z.string().refine((pem) => {
  try {
    return new X509Certificate(pem).publicKey.asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}, "must be a PEM X.509 certificate (-----BEGIN CERTIFICATE-----) with an RSA key");

const absoluteUrl = z.string().refine((value) => URL.canParse(value), "must be an absolute URL");

/** A role an application defines and assigns to users (the token's `roles` claim). */
export const appRoleSchema = z.strictObject({
  id: guid,
  value: z.string().min(1).regex(/^\S+$/, "must not contain spaces"),
  displayName: z.string().min(1),
  description: z.string().default(""),
  /**
   * Who may hold the role: users (the `roles` of their tokens), applications (an application
   * permission, the `roles` of app-only tokens), or both.
   */
  allowedMemberTypes: z
    .array(z.enum(["User", "Application"]))
    .min(1)
    .default(["User"]),
});

/** An app registration: a client that signs users in, an API that accepts tokens, or both. */
export const appSchema = z.strictObject({
  clientId: guid,
  displayName: z.string().min(1),
  /** Client secrets. An app without secrets or certificates is a public client. */
  secrets: z.array(z.string().min(16, "must be at least 16 characters")).default([]),
  /**
   * Certificates (PEM, public part only) whose private keys sign the app's client assertions
   * (private_key_jwt), found by their SHA-1 (`x5t`) or SHA-256 (`x5t#S256`) thumbprint.
   */
  certificates: z.array(certificatePem).default([]),
  redirectUris: z.array(absoluteUrl).default([]),
  /** Where the emulator's sign-out page sends the front-channel logout request (`?sid=`). */
  frontchannelLogoutUrl: absoluteUrl.optional(),
  /** Accept users of every tenant (`organizations`, `common`), not only the home tenant. */
  multiTenant: z.boolean().default(false),
  appRoles: z.array(appRoleSchema).default([]),
  /** Delegated scopes this app exposes as an API, used as `api://{clientId}/{scope}`. */
  exposedScopes: z
    .array(z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, . _ - only"))
    .default([]),
  /** Scopes every user has already consented to (as an administrator would grant them). */
  grantedScopes: z
    .array(z.string().min(1))
    .default(["openid", "profile", "email", "offline_access", "User.Read"]),
  /**
   * Optional claims of the app's ID tokens, as its manifest's `optionalClaims.idToken` lists them.
   * `acct`: 0 for a member of the tenant, 1 for a guest.
   */
  optionalClaims: z.array(z.enum(["acct"])).default([]),
  /** Whether ID and access tokens carry the `groups` claim (over 200 groups: the overage form). */
  groupMembershipClaims: z.enum(["None", "SecurityGroup"]).default("SecurityGroup"),
  /**
   * Version of the access tokens issued for this app's own API (`api://{clientId}/…`), as the
   * manifest's `accessTokenAcceptedVersion` says. Entra reads a missing value as 1; the emulator
   * defaults to 2, what a new API is normally set to.
   */
  accessTokenAcceptedVersion: z.union([z.literal(1), z.literal(2)]).default(2),
  /**
   * Application permissions granted to this app (admin consent), by the client id of the API that
   * defines them (Microsoft Graph: `00000003-0000-0000-c000-000000000000`): the `roles` of its
   * app-only tokens for that API.
   */
  applicationPermissions: z.record(guid, z.array(z.string().min(1))).default({}),
});

export const groupSchema = z.strictObject({
  id: guid,
  displayName: z.string().min(1),
  securityEnabled: z.boolean().default(true),
  mailEnabled: z.boolean().default(false),
});

export const userSchema = z.strictObject({
  /** The object id (`oid`), immutable within the tenant. */
  id: guid,
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, "must look like name@domain"),
  displayName: z.string().min(1),
  givenName: z.string().nullable().default(null),
  surname: z.string().nullable().default(null),
  mail: z.string().nullable().default(null),
  jobTitle: z.string().nullable().default(null),
  officeLocation: z.string().nullable().default(null),
  mobilePhone: z.string().nullable().default(null),
  businessPhones: z.array(z.string()).default([]),
  preferredLanguage: z.string().nullable().default(null),
  /** "Guest" users carry the `idp` claim of their home identity provider. */
  userType: z.enum(["Member", "Guest"]).default("Member"),
  /** Home identity provider of a guest, e.g. `https://sts.windows.net/{tenant}/` or `live.com`. */
  idp: z.string().optional(),
  /** App role values assigned to this user, by the client id of the app that defines them. */
  appRoles: z.record(guid, z.array(z.string().min(1))).default({}),
  /** Object ids of the groups the user is a direct member of. */
  groups: z.array(guid).default([]),
  /**
   * The password of a local account of an Azure AD B2C tenant (`kind: "b2c"`), which signs in
   * with its e-mail address (`mail`) and this; workforce tenants ask for none.
   */
  password: z.string().min(1).optional(),
  /** Whether Graph serves a (generated) photo for this user. */
  photo: z.boolean().default(true),
  accountEnabled: z.boolean().default(true),
});

/** A B2C policy name: a user flow (`B2C_1_…`) or a custom policy (`B2C_1A_…`). */
const policyName = z
  .string()
  .regex(/^B2C_1A?_[A-Za-z0-9_.-]{1,100}$/i, "must be a policy name such as B2C_1_signupsignin");

/** What an Azure AD B2C tenant adds: its user flows and the claim that names them in tokens. */
export const b2cSchema = z.strictObject({
  /** The policies, by name, and what each does. */
  userFlows: z
    .array(
      z.strictObject({
        name: policyName,
        type: z.enum(["signUpSignIn", "passwordReset", "profileEdit"]),
      }),
    )
    .min(1, "needs at least one user flow"),
  /** The claim carrying the policy name (the user flows' token compatibility setting). */
  policyClaim: z.enum(["tfp", "acr"]).default("tfp"),
});

export const tenantSchema = z.strictObject({
  id: guid,
  /** The user flows of a `b2c` tenant. */
  b2c: b2cSchema.optional(),
  /** The tenant's initial domain, e.g. `contoso.onmicrosoft.com`. */
  domain: z
    .string()
    .regex(
      /^[a-z0-9-]+(\.[a-z0-9-]+)+$/,
      "must be a lower-case domain such as contoso.onmicrosoft.com",
    ),
  displayName: z.string().min(1),
  /**
   * `workforce` (an organization's tenant, the default); `external` (an Entra External ID tenant
   * for an app's customers: self-service sign-up with an e-mail one-time code, no groups in
   * tokens, not reached through `organizations` or `common`); or `b2c` (an Azure AD B2C tenant,
   * reached only through its policies, `/{domain}/{policy}/…`, never by the workforce endpoints).
   */
  kind: z.enum(["workforce", "external", "b2c"]).default("workforce"),
  /**
   * External tenants: whether ID tokens carry `email` (asked for with the `email` scope). A real
   * external tenant sends it only when the app's registration lists it as an optional claim.
   */
  emailClaim: z.boolean().default(false),
  /**
   * External tenants: the local-account sign-in method of the tenant's sign-up and sign-in user
   * flow. `emailPassword` ("Email with password", Entra's default): sign-up asks a password and
   * the emulator's sign-in page lists the customers to pick. `emailOtp` ("Email one-time
   * passcode"): sign-up asks none, and signing in takes the customer's e-mail address and a code
   * sent to it.
   */
  signInMethod: z.enum(["emailPassword", "emailOtp"]).default("emailPassword"),
  apps: z.array(appSchema).default([]),
  groups: z.array(groupSchema).default([]),
  users: z.array(userSchema).default([]),
});

export const directorySchema = z
  .strictObject({
    tenants: z.array(tenantSchema).min(1, "needs at least one tenant"),
  })
  .superRefine((directory, ctx) => checkReferences(directory, ctx));

export type AppRole = z.output<typeof appRoleSchema>;
export type AppRegistration = z.output<typeof appSchema>;
export type Group = z.output<typeof groupSchema>;
export type User = z.output<typeof userSchema>;
export type Tenant = z.output<typeof tenantSchema>;
export type B2cSettings = z.output<typeof b2cSchema>;
/** A validated directory, with every default filled in. */
export type DirectoryConfig = z.output<typeof directorySchema>;
/** A directory as written in a configuration file: optional fields may be left out. */
export type DirectoryInput = z.input<typeof directorySchema>;

function checkReferences(directory: DirectoryConfig, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  const claim = (id: string, what: string, path: (string | number)[]) => {
    const earlier = seen.get(id);
    if (earlier) {
      ctx.addIssue({ code: "custom", path, message: `id ${id} is already used by ${earlier}` });
    }
    seen.set(id, what);
  };
  const apps = new Map<string, AppRegistration>();
  directory.tenants.forEach((tenant, t) => {
    claim(tenant.id, `tenant ${tenant.domain}`, ["tenants", t, "id"]);
    if (tenant.signInMethod !== "emailPassword" && tenant.kind !== "external") {
      ctx.addIssue({
        code: "custom",
        path: ["tenants", t, "signInMethod"],
        message: 'only an external tenant (kind "external") has a sign-in method to choose',
      });
    }
    if ((tenant.kind === "b2c") !== (tenant.b2c !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["tenants", t, "b2c"],
        message: 'a tenant has user flows (b2c) exactly when its kind is "b2c"',
      });
    }
    tenant.apps.forEach((app, a) => {
      claim(app.clientId, `app ${app.displayName}`, ["tenants", t, "apps", a, "clientId"]);
      apps.set(app.clientId, app);
    });
    tenant.groups.forEach((group, g) => {
      claim(group.id, `group ${group.displayName}`, ["tenants", t, "groups", g, "id"]);
    });
    tenant.users.forEach((user, u) => {
      claim(user.id, `user ${user.userPrincipalName}`, ["tenants", t, "users", u, "id"]);
    });
  });
  directory.tenants.forEach((tenant, t) => {
    tenant.apps.forEach((app, a) => {
      const at = ["tenants", t, "apps", a, "applicationPermissions"];
      checkRoles(ctx, apps, app.applicationPermissions, "Application", at);
    });
  });
  const upns = new Set<string>();
  directory.tenants.forEach((tenant, t) => {
    const groupIds = new Set(tenant.groups.map((group) => group.id));
    tenant.users.forEach((user, u) => {
      const at = ["tenants", t, "users", u];
      const upn = user.userPrincipalName.toLowerCase();
      if (upns.has(upn)) {
        ctx.addIssue({
          code: "custom",
          path: [...at, "userPrincipalName"],
          message: `${upn} is used twice`,
        });
      }
      upns.add(upn);
      user.groups.forEach((groupId, g) => {
        if (!groupIds.has(groupId)) {
          ctx.addIssue({
            code: "custom",
            path: [...at, "groups", g],
            message: `group ${groupId} is not defined in tenant ${tenant.domain}`,
          });
        }
      });
      checkRoles(ctx, apps, user.appRoles, "User", [...at, "appRoles"]);
      if (user.userType === "Guest" && !user.idp) {
        ctx.addIssue({
          code: "custom",
          path: [...at, "idp"],
          message: "a guest needs its home idp",
        });
      }
    });
  });
}

/** Each role must be one the API defines for this kind of member (Graph: one it knows). */
function checkRoles(
  ctx: z.RefinementCtx,
  apps: ReadonlyMap<string, AppRegistration>,
  assigned: Readonly<Record<string, readonly string[]>>,
  memberType: "User" | "Application",
  path: (string | number)[],
): void {
  for (const [clientId, roles] of Object.entries(assigned)) {
    const issue = (message: string) =>
      ctx.addIssue({ code: "custom", path: [...path, clientId], message });
    if (clientId === GRAPH_APP_ID && memberType === "Application") {
      for (const role of roles) {
        if (!GRAPH_APPLICATION_PERMISSIONS.has(role)) {
          issue(
            `Microsoft Graph has no application permission "${role}" in the emulator (known: ${[...GRAPH_APPLICATION_PERMISSIONS].join(", ")})`,
          );
        }
      }
      continue;
    }
    const app = apps.get(clientId);
    if (!app) {
      issue(`no app with client id ${clientId} is registered`);
      continue;
    }
    for (const role of roles) {
      const defined = app.appRoles.find((candidate) => candidate.value === role);
      if (!defined) issue(`app ${app.displayName} defines no app role "${role}"`);
      else if (!defined.allowedMemberTypes.includes(memberType)) {
        issue(
          `app role "${role}" of ${app.displayName} is not for ${memberType === "User" ? "users" : "applications"} (its allowedMemberTypes: ${defined.allowedMemberTypes.join(", ")})`,
        );
      }
    }
  }
}
