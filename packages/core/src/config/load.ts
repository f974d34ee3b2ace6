import type { z } from "zod";
import { EntranceError } from "../errors/entrance-error.js";
import { accountProblems } from "./accounts.js";
import { cloudMismatch, defaultGraphBaseUrl } from "./clouds.js";
import { configSchema, type EntranceConfig, type EntranceConfigInput } from "./schema.js";

/** Environment variables Entrance reads, by the config field they fill (`a.b` for a nested one). */
const ENVIRONMENT: Readonly<Record<string, string>> = {
  AZURE_TENANT_ID: "tenantId",
  AZURE_CLIENT_ID: "clientId",
  AZURE_CLIENT_SECRET: "clientSecret",
  AZURE_CLIENT_CERTIFICATE_PATH: "clientCertificatePath",
  AZURE_AUTHORITY_HOST: "authorityHost",
  ENTRANCE_BASE_URL: "baseUrl",
  ENTRANCE_ALLOWED_HOSTS: "allowedHosts",
  ENTRANCE_TRUST_PROXY: "trustProxy",
  ENTRANCE_SECRET: "secrets",
  ENTRANCE_SCOPES: "scopes",
  ENTRANCE_ALLOWED_TENANTS: "allowedTenants",
  ENTRANCE_GRAPH_URL: "graphBaseUrl",
  ENTRANCE_ACCOUNTS: "accounts",
  ENTRANCE_GRAPH_ALLOWED_ORIGINS: "graphAllowedOrigins",
  DATABASE_URL: "databaseUrl",
  REDIS_URL: "redisUrl",
  ENTRANCE_TRUSTED_TENANTS: "authorization.trustedTenants",
  ENTRANCE_AUDIT_RETENTION_DAYS: "audit.retentionDays",
  ENTRANCE_STORE_TIMEOUT_MS: "storeTimeoutMs",
};

/** Settings whose environment variable holds a number. */
const NUMERIC = new Set(["audit.retentionDays", "storeTimeoutMs"]);

/**
 * Validates the configuration once: options first, then the environment (AZURE_* and ENTRANCE_*).
 * Returns a deeply frozen copy; the caller's object is never changed. Throws `config_invalid` with
 * every problem and how to fix it — never with the values themselves, which may be secrets.
 */
export function loadConfig(
  options: Partial<EntranceConfigInput> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
  /** Whether the app passes a `clientAssertion` callback (its credential, then). */
  hasClientAssertion = false,
): EntranceConfig {
  const input: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(options)) {
    if (value !== undefined) input[field] = structuredClone(value);
  }
  // Options win over the environment, field by field, nested ones included.
  for (const [name, field] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    const [outer, inner] = field.split(".") as [string, string | undefined];
    const parsed = NUMERIC.has(field) && /^\d+$/.test(value.trim()) ? Number(value) : value;
    if (inner === undefined) {
      if (!(outer in input)) input[outer] = parsed;
      continue;
    }
    const section = (input[outer] ?? {}) as Record<string, unknown>;
    if (typeof section !== "object" || inner in section) continue;
    input[outer] = { ...section, [inner]: parsed };
  }
  const result = configSchema.safeParse(input);
  const problems = result.success ? [] : result.error.issues.map(describe);
  problems.push(...originProblems(input));
  if (!input.clientSecret && !input.clientCertificatePath && !hasClientAssertion) {
    problems.push(
      "clientSecret (AZURE_CLIENT_SECRET): set AZURE_CLIENT_SECRET to a client secret of your app registration (Certificates & secrets), or AZURE_CLIENT_CERTIFICATE_PATH to a PEM file with its certificate and key, or pass clientAssertion",
    );
  }
  let config: EntranceConfig | undefined;
  if (result.success) {
    const { graphBaseUrl, ...rest } = result.data;
    config = { ...rest, graphBaseUrl: graphBaseUrl ?? defaultGraphBaseUrl(rest.authorityHost) };
    problems.push(...appTenantProblems(config), ...accountProblems(result.data));
    const mismatch = cloudMismatch(config.authorityHost, config.graphBaseUrl);
    if (mismatch) problems.push(`graphBaseUrl (ENTRANCE_GRAPH_URL): ${mismatch}`);
  }
  if (!config || problems.length > 0) {
    throw new EntranceError(
      "config_invalid",
      `Entrance is not configured correctly:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  return deepFreeze(config);
}

/**
 * The public origin comes from one place: `baseUrl`, or the request checked against
 * `allowedHosts`. Proxy settings beside `baseUrl` would do nothing, so they are refused rather
 * than left to mislead.
 */
function originProblems(input: Readonly<Record<string, unknown>>): string[] {
  const given = (value: unknown) => (Array.isArray(value) ? value.length > 0 : Boolean(value));
  if (input.baseUrl === undefined) {
    return given(input.allowedHosts)
      ? []
      : [
          "baseUrl (ENTRANCE_BASE_URL): set ENTRANCE_BASE_URL to the app's public origin, e.g. https://app.example.com (recommended), " +
            "or ENTRANCE_ALLOWED_HOSTS to the host names it answers on (with ENTRANCE_TRUST_PROXY naming the reverse proxy, if any); see docs/operations.md",
        ];
  }
  const extra = [
    ...(given(input.allowedHosts) ? ["allowedHosts (ENTRANCE_ALLOWED_HOSTS)"] : []),
    ...(given(input.trustProxy) ? ["trustProxy (ENTRANCE_TRUST_PROXY)"] : []),
  ];
  return extra.map(
    (name) =>
      `${name}: has no effect with ENTRANCE_BASE_URL set, which fixes the origin and never reads request headers; remove one of them`,
  );
}

/** An app token is asked in one tenant: a multi-tenant app names it per downstream API. */
function appTenantProblems(config: EntranceConfig): string[] {
  if (!isMultiTenant(config)) return [];
  return Object.entries(config.downstreamApis)
    .filter(([, api]) => api.as === "app" && api.tenantId === undefined)
    .map(
      ([name]) =>
        `downstreamApis.${name}.tenantId: an app acts as itself in one tenant; this app's tenantId is "${config.tenantId}", so set the tenant (a GUID) the API is called in`,
    );
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.join(".");
  const env = Object.entries(ENVIRONMENT).find(
    ([, field]) => field === path || field === issue.path[0] || path.startsWith(`${field}.`),
  )?.[0];
  return `${path}${env ? ` (${env})` : ""}: ${issue.message}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The authority URL MSAL and the metadata use: `{authorityHost}/{tenantId}`. */
export function authorityOf(config: EntranceConfig): string {
  return `${config.authorityHost}/${config.tenantId}`;
}

/** Whether the configured tenant is `organizations` or `common` rather than one tenant. */
export function isMultiTenant(config: EntranceConfig): boolean {
  const tenant = config.tenantId.toLowerCase();
  return tenant === "organizations" || tenant === "common";
}
