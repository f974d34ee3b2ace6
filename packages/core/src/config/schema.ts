import { z } from "zod";
import { allowedHostProblem, trustProxyProblem } from "../http/origin.js";
import { b2cSchema } from "./b2c.js";
import { parseDatabaseUrl } from "./database-url.js";
import { downstreamApisSchema } from "./downstream.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MIN_SECRET_BYTES = 32;
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Scopes as an array or a space-separated string, normalized to distinct strings. */
export const scopesSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => uniqueScopes(Array.isArray(value) ? value : value.split(/\s+/)));

function uniqueScopes(values: readonly string[]): string[] {
  return [...new Set(values.map((s) => s.trim()).filter(Boolean))];
}

/**
 * What {@link scopesSchema} makes of scopes given to a call (`getAccessToken` on every request that
 * needs a token), without a schema's cost when they are what they should be: a list of strings
 * or one space-separated string. Anything else throws as the schema does.
 */
export function parseScopes(value: unknown): string[] {
  if (typeof value === "string") return uniqueScopes(value.split(/\s+/));
  if (Array.isArray(value) && value.every((s) => typeof s === "string")) return uniqueScopes(value);
  return scopesSchema.parse(value);
}

/** Whether `value` is a redis:// or rediss:// URL with a host. */
function isRedisUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
}

const GROUP_ID = z.string().regex(GUID, "must be a group object id (a GUID)");

/** A comma-separated string or an array, lower-cased, each entry checked by `problem`. */
function hostList(problem: (entry: string) => string | null, message: string) {
  return z
    .union([z.string(), z.array(z.string())], { error: message })
    .transform((v) =>
      (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim().toLowerCase()).filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().superRefine((entry, ctx) => {
          const why = problem(entry);
          if (why) ctx.addIssue({ code: "custom", message: why });
        }),
      ),
    );
}

/** A list of tenant ids, from an array or a comma-separated string, lower-cased. */
function tenantList(message: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim().toLowerCase()).filter(Boolean),
    )
    .pipe(z.array(z.string().regex(GUID, message)));
}

/** App roles and Entra groups mapped to the app's own permissions. */
export const authorizationSchema = z
  .strictObject({
    /** The app role that lets a user into the admin panel. */
    adminRole: z.string().min(1).default("Entrance.Admin"),
    /**
     * Tenants whose app-role assignments and groups this app trusts. Each tenant's own
     * administrators assign roles on their copy of a multi-tenant app, so a role from any other
     * tenant is ignored: users of other tenants sign in with no roles, no groups and no
     * permissions. Empty (the default): the app's own tenant when `tenantId` names one, and no
     * tenant at all for `organizations` or `common`.
     */
    trustedTenants: tenantList(
      "ENTRANCE_TRUSTED_TENANTS must list tenant ids (GUIDs), comma-separated",
    ).default([]),
    /** Group names the app uses, by object id, so guards can say `requireGroup("Sales")`. */
    groups: z.record(z.string().min(1), GROUP_ID).default({}),
    /** Each permission of the app, granted by any of these roles or groups (names or ids). */
    permissions: z
      .record(
        z.string().min(1),
        z.strictObject({
          roles: z.array(z.string().min(1)).default([]),
          groups: z.array(z.string().min(1)).default([]),
        }),
      )
      .default({}),
    /** Seconds groups resolved through Graph (group overage) are trusted before asking again. */
    groupCacheSeconds: z.number().int().min(0).max(86_400).default(3600),
    /** Scopes of the Graph token that resolves overage groups (/me/transitiveMemberOf). */
    groupScopes: scopesSchema.default(["User.Read"]),
  })
  .superRefine((authorization, ctx) => {
    for (const [permission, rule] of Object.entries(authorization.permissions)) {
      for (const group of rule.groups) {
        if (!GUID.test(group) && !(group in authorization.groups)) {
          ctx.addIssue({
            code: "custom",
            path: ["permissions", permission, "groups"],
            message: `group "${group}" is neither a group id nor a name listed in authorization.groups`,
          });
        }
      }
    }
  });

/** What an app gives Entrance, from options or the environment. */
export const configSchema = z.strictObject({
  tenantId: z
    .string({
      error: "set AZURE_TENANT_ID to your tenant id (a GUID), domain, 'organizations' or 'common'",
    })
    .min(1, "set AZURE_TENANT_ID to your tenant id (a GUID), domain, 'organizations' or 'common'"),
  /**
   * Which accounts may sign in, as the app registration's "supported account types" says:
   * `work-or-school` (the default: accounts of Entra tenants, never personal Microsoft accounts),
   * `any` (work or school and personal accounts: `tenantId` must be `common`) or `personal`
   * (personal Microsoft accounts only: `tenantId` must be `consumers`). `common` and `consumers`
   * are refused without the matching value, because anyone with an Outlook.com address can then
   * sign in. Personal accounts never carry roles or groups.
   */
  accounts: z
    .enum(["work-or-school", "any", "personal"], {
      error: "ENTRANCE_ACCOUNTS must be work-or-school, any or personal",
    })
    .default("work-or-school"),
  clientId: z
    .string({
      error: "set AZURE_CLIENT_ID to the application (client) id of your app registration",
    })
    .regex(
      GUID,
      "AZURE_CLIENT_ID must be the application (client) id, a GUID such as 5b8e1f2a-7c4d-4e9a-b3f6-0a1d2c3e4f5b",
    ),
  /**
   * A client secret of the app registration. The app proves who it is with exactly one of this,
   * `clientCertificatePath`, or the `clientAssertion` option.
   */
  clientSecret: z
    .string()
    .min(
      1,
      "set AZURE_CLIENT_SECRET to a client secret of your app registration (Certificates & secrets)",
    )
    .optional(),
  /**
   * A PEM file holding the certificate registered on the app and its private key (as the Azure
   * SDKs read AZURE_CLIENT_CERTIFICATE_PATH): Entrance signs client assertions with it.
   */
  clientCertificatePath: z.string().min(1).optional(),
  /**
   * Whether the tenant is an Entra External ID (customer) tenant. Unset: true exactly when
   * `authorityHost` is a `….ciamlogin.com` host; set it for a custom URL domain or the emulator.
   * See config/external-id.ts.
   */
  externalId: z
    .union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], {
      error: "ENTRANCE_EXTERNAL_ID must be true or false",
    })
    .default(false),
  authorityHost: z
    .url({
      protocol: /^https$/,
      error: "AZURE_AUTHORITY_HOST must be an https URL such as https://login.microsoftonline.com",
    })
    .default("https://login.microsoftonline.com")
    .transform((v) => v.replace(/\/+$/, "")),
  /**
   * The app's own public origin; the redirect URI is built from it, and request headers are never
   * read for it. The simplest setting, and the recommended one. Unset: `allowedHosts` is
   * required, and the origin is read per request (see `trustProxy`).
   */
  baseUrl: z
    .url({
      protocol: /^https?$/,
      error:
        "set ENTRANCE_BASE_URL to the app's public origin as browsers see it, e.g. https://app.example.com " +
        "(behind a reverse proxy too: with it set, Entrance never reads the Host or X-Forwarded-* headers)",
    })
    .refine(
      (v) => new URL(v).protocol === "https:" || LOOPBACK.has(new URL(v).hostname),
      "ENTRANCE_BASE_URL must be https (plain http is allowed for localhost only): cookies need Secure",
    )
    .transform((v) => new URL(v).origin)
    .optional(),
  /**
   * Without `baseUrl`: the hosts (`host` or `host:port`) the app answers on. A request whose
   * host is not one of them gets `host_not_allowed` (400) and nothing else. Each is a redirect
   * URI to register: `https://{host}{paths.callback}`.
   */
  allowedHosts: hostList(
    (entry) => allowedHostProblem(entry),
    "ENTRANCE_ALLOWED_HOSTS must list host names, comma-separated",
  ).default([]),
  /**
   * Without `baseUrl`: the proxies (IP addresses, CIDR ranges, `loopback`, `private`) whose
   * `X-Forwarded-Proto`/`X-Forwarded-Host` (or `Forwarded`) are believed, when the request's TCP
   * connection comes from one of them. Empty (the default): those headers are never read.
   */
  trustProxy: hostList(
    (entry) => trustProxyProblem(entry),
    "ENTRANCE_TRUST_PROXY must list addresses, CIDR ranges, loopback or private, comma-separated",
  ).default([]),
  /** Secrets for encryption keys, newest first. */
  secrets: z
    .union([z.string(), z.array(z.string())], {
      error: "set ENTRANCE_SECRET to 32+ random bytes, e.g. `openssl rand -base64 32`",
    })
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))
    .pipe(
      z
        .array(
          z.string().refine((s) => Buffer.byteLength(s) >= MIN_SECRET_BYTES, {
            error: `ENTRANCE_SECRET must be at least ${MIN_SECRET_BYTES} bytes; generate one with \`openssl rand -base64 32\``,
          }),
        )
        .min(1, "set ENTRANCE_SECRET to 32+ random bytes, e.g. `openssl rand -base64 32`"),
    ),
  /**
   * Microsoft Graph's base URL, without the version (the emulator's https URL in development).
   * Unset: the Graph of the cloud `authorityHost` belongs to (see config/clouds.ts).
   */
  graphBaseUrl: z
    .url({
      protocol: /^https$/,
      error: "ENTRANCE_GRAPH_URL must be an https URL such as https://graph.microsoft.com",
    })
    .transform((v) => v.replace(/\/+$/, ""))
    .optional(),
  /** Scopes asked at sign-in besides openid, profile and offline_access. */
  scopes: scopesSchema.default(["User.Read"]),
  /**
   * Origins besides Microsoft Graph's to which the Graph client may send the user's token (an
   * API behind the same Entra resource); any other absolute URL is refused before it is called.
   */
  graphAllowedOrigins: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean))
    .pipe(
      z.array(
        z
          .url({
            protocol: /^https$/,
            error: "ENTRANCE_GRAPH_ALLOWED_ORIGINS must list https origins, comma-separated",
          })
          .transform((v) => new URL(v).origin),
      ),
    )
    .default([]),
  /**
   * The database of the default SQL store (PostgreSQL URL, or a SQLite file path or URL); unset:
   * the SQLite file `.entrance/entrance.db`. Ignored when the app passes its own store.
   */
  databaseUrl: z
    .string()
    .superRefine((value, ctx) => {
      try {
        parseDatabaseUrl(value);
      } catch (error) {
        // The parser's message never echoes the URL, which may hold a password.
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    })
    .optional(),
  /**
   * The Redis server of the default store's session side (`redis://` or `rediss://`); unset: the
   * session side stays in the SQL store. Ignored when the app passes its own store.
   */
  redisUrl: z
    .string()
    .refine(isRedisUrl, {
      // Never the URL itself: it may hold a password.
      message:
        "must be a redis:// or rediss:// URL with a host, e.g. redis://:password@127.0.0.1:6379 " +
        "(for a Redis Cluster, pass an @entrance/store-redis store as `store` instead)",
    })
    .optional(),
  /** For `organizations` or `common`: the tenant ids allowed to sign in (empty: any). */
  allowedTenants: tenantList(
    "ENTRANCE_ALLOWED_TENANTS must list tenant ids (GUIDs), comma-separated",
  ).default([]),
  /**
   * Azure AD B2C: the policies (user flows or custom policies) the app signs in through. With it,
   * `tenantId` is the B2C tenant and `authorityHost` its `b2clogin.com` host; see docs/b2c.md.
   */
  b2c: b2cSchema.optional(),
  paths: z
    .strictObject({
      login: z.string().startsWith("/").default("/auth/login"),
      /** Starts the B2C profile-edit policy (`b2c.editProfile`) and comes back. */
      profile: z.string().startsWith("/").default("/auth/profile"),
      callback: z.string().startsWith("/").default("/auth/callback"),
      logout: z.string().startsWith("/").default("/auth/logout"),
      frontchannelLogout: z.string().startsWith("/").default("/auth/frontchannel-logout"),
      /** Where the browser lands after signing out. */
      afterLogout: z.string().startsWith("/").default("/"),
    })
    .prefault({}),
  session: z
    .strictObject({
      /** Seconds without a request after which a session ends. */
      idleTimeout: z
        .number()
        .int()
        .positive()
        .default(8 * 3600),
      /** Seconds after sign-in after which a session ends however active. */
      absoluteTimeout: z
        .number()
        .int()
        .positive()
        .default(7 * 86_400),
      /**
       * Seconds a resolved session is kept in process before the store is read again: how late
       * another instance sees a session ended or a user disabled. 0 reads the store every time.
       */
      cacheSeconds: z.number().int().min(0).max(300).default(5),
    })
    .prefault({}),
  /**
   * Milliseconds a store operation may take; beyond it, or when the store cannot be reached, the
   * request gets `store_unavailable` (503) instead of waiting.
   */
  storeTimeoutMs: z.number().int().min(50).max(60_000).default(5000),
  /** Seconds a started sign-in may take. */
  loginTimeout: z.number().int().min(30).max(3600).default(600),
  /**
   * Bounds on sign-ins started and not finished, so that unauthenticated requests cannot grow the
   * store: per browser (its oldest is dropped beyond this), per client address (beyond it,
   * `too_many_sign_ins`, 429) and in total (beyond it, `sign_in_busy`, 503, until others finish or
   * expire after `loginTimeout`).
   */
  pendingSignIns: z
    .strictObject({
      perBrowser: z.number().int().min(1).max(100).default(10),
      /**
       * Sign-ins one client address may start per `loginTimeout`, per instance (the adapter's
       * idea of the client's address: set Express's `trust proxy` behind a proxy).
       */
      perAddress: z.number().int().min(5).max(100_000).default(60),
      total: z.number().int().min(10).max(10_000_000).default(10_000),
    })
    .prefault({}),
  /**
   * How long audit events are kept: older ones, and all but the newest `maxEvents`, are removed
   * by Entrance's periodic sweep (with expired sessions and sign-ins).
   */
  audit: z
    .strictObject({
      retentionDays: z.number().int().min(1).max(3650).default(90),
      maxEvents: z.number().int().min(100).max(100_000_000).default(1_000_000),
    })
    .prefault({}),
  /** Allowed clock difference when checking token times, in seconds. */
  clockSkew: z.number().int().min(0).max(600).default(300),
  authorization: authorizationSchema.prefault({}),
  /** APIs the app calls by name (`context.downstream(name)`), see config/downstream.ts. */
  downstreamApis: downstreamApisSchema,
});

export type EntranceConfigInput = z.input<typeof configSchema>;
/** The validated configuration; `graphBaseUrl` is always set (derived from the cloud when unset). */
export type EntranceConfig = Omit<z.output<typeof configSchema>, "graphBaseUrl"> & {
  readonly graphBaseUrl: string;
};
