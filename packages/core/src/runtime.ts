/**
 * The parts every flow shares, made once per core: configuration, store, metadata, sessions,
 * token partitions, audit trail, cookies, and the MSAL client factory. Internal: the public face
 * is the `Entrance` façade.
 */
import type { ConfidentialClientApplication } from "@azure/msal-node";
import { policyAuthority } from "./config/b2c.js";
import { authorityOf, isMultiTenant, loadConfig } from "./config/load.js";
import type { EntranceConfig } from "./config/schema.js";
import { EntranceError } from "./errors/entrance-error.js";
import { AuditTrail } from "./flow/audit.js";
import { Sessions } from "./flow/sessions.js";
import { cookieNames } from "./http/cookies.js";
import { HostRefusals } from "./http/host-refusals.js";
import { createNetworkClient } from "./http/network.js";
import { PublicOrigins } from "./http/origin.js";
import { RedactingLogger } from "./log/logger.js";
import type { EntranceOptions } from "./options.js";
import { guardStore } from "./storage/guarded.js";
import type { EntranceStore } from "./storage/types.js";
import { B2cAuthorities } from "./tokens/b2c.js";
import { clientCredential } from "./tokens/credential.js";
import { Metadata } from "./tokens/metadata.js";
import { msalClient } from "./tokens/msal.js";
import { TokenPartitions } from "./tokens/partitions.js";

export interface Runtime {
  readonly config: EntranceConfig;
  readonly store: EntranceStore;
  /** The app's logger behind redaction. */
  readonly logger: RedactingLogger;
  readonly metadata: Metadata;
  readonly sessions: Sessions;
  readonly tokens: TokenPartitions;
  readonly trail: AuditTrail;
  readonly cookies: ReturnType<typeof cookieNames>;
  /** Whether the app is served over https (Secure cookies, `__Host-` names). */
  readonly secure: boolean;
  /**
   * `{origin}{paths.callback}` for the first of the app's origins (`baseUrl`, or the first allowed
   * host): the redirect URI when no request says which.
   */
  readonly redirectUri: string;
  /** The public origin of each request: `baseUrl`, or read and checked per request. */
  readonly origins: PublicOrigins;
  /** The log of requests refused for their host, bounded against whoever sends them. */
  readonly hostRefusals: HostRefusals;
  /** Entrance's scripts are served next to the login path, e.g. `/auth/popup.js`. */
  readonly assetPrefix: string;
  /**
   * Azure AD B2C's policies, when `b2c` is configured: then `metadata` and `client` are the
   * sign-up/sign-in policy's, and the other policies are here.
   */
  readonly b2c: B2cAuthorities | undefined;
  /** An MSAL client for one request, holding at most one user's cache. */
  client(cache?: string): Promise<ConfidentialClientApplication>;
  /**
   * An MSAL client on one tenant's authority, for grants that must name the tenant (on-behalf-of
   * for a caller, app-only): the configured one when the app is single-tenant, else `tenantId`.
   */
  tenantClient(tenantId: string, cache?: string): Promise<ConfidentialClientApplication>;
  /**
   * Fetches the authority's discovery document now (no cache, no retry, at most `timeoutMs`) and
   * checks it names an issuer: whether Entra answers at this moment, for a health probe. Throws
   * `identity_provider_unavailable` when it does not.
   */
  probeIdentityProvider(timeoutMs: number): Promise<void>;
  /** For a single-tenant app, the tenant id (GUID) from the issuer, even if configured by domain. */
  expectedTenant(): Promise<string | undefined>;
  /** Runs store operations; their failures become `store_failed` (with the cause). */
  stored<T>(operation: () => Promise<T>): Promise<T>;
  /**
   * Evicts the tokens of users who have no session left. A user signed in on another device
   * keeps the tokens that session still uses; the last sign-out removes them.
   */
  evictIfSignedOut(users: readonly { tenantId: string; objectId: string }[]): Promise<void>;
  /**
   * Origins a form of the app may be redirected to: Entra's sign-in and end-session endpoints,
   * from the metadata once it has been read. Never waits for Entra — a page must render when
   * Entra is slow or down: until the metadata is in, the authority's origin (which is Entra's
   * for both), and the metadata is read in the background.
   */
  formTargets(): readonly string[];
}

/** Validates the configuration (throws `config_invalid`) and builds the shared parts. */
export function createRuntime(options: EntranceOptions): Runtime {
  const {
    store: given,
    trust,
    onSignIn: _hook,
    logger,
    env,
    clientAssertion,
    ...settings
  } = options;
  const config = loadConfig(settings, env, clientAssertion !== undefined);
  // Before the store opens: a missing or broken credential stops start-up with the fix.
  const { credential } = clientCredential(config, clientAssertion);
  const store = guardStore(
    typeof given === "function" ? given(config) : given,
    config.storeTimeoutMs,
  );
  const authority = config.b2c
    ? policyAuthority(config, config.b2c.signUpSignIn)
    : authorityOf(config);
  const network = createNetworkClient({ trust });
  const metadata = new Metadata(authority, network);
  const b2c = config.b2c
    ? new B2cAuthorities({ ...config, b2c: config.b2c }, credential, network, metadata)
    : undefined;
  const tokens = new TokenPartitions(store, config.secrets);
  const origins = new PublicOrigins(config);
  // Without baseUrl, http is accepted only when every allowed host is a loopback name: one
  // scheme for the app, so that cookie names (`__Host-`) and Secure do not vary per request.
  const [firstOrigin = ""] = origins.all;
  const secure = firstOrigin.startsWith("https:");
  let probe: ReturnType<typeof createNetworkClient> | undefined;
  const log = new RedactingLogger(
    logger ?? {
      // Not console.info: a default that printed every sign-in would be noise nobody asked for.
      warn: (fields, message) => console.warn(message, fields),
      error: (fields, message) => console.error(message, fields),
    },
  );
  const stored = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (cause) {
      if (cause instanceof EntranceError) throw cause;
      throw new EntranceError("store_failed", "Entrance could not read or write its store.", {
        cause,
      });
    }
  };
  return {
    config,
    store,
    logger: log,
    metadata,
    sessions: new Sessions(config, store, () => Date.now()),
    tokens,
    trail: new AuditTrail(store.audit, log),
    cookies: cookieNames(secure),
    secure,
    redirectUri: `${firstOrigin}${config.paths.callback}`,
    origins,
    hostRefusals: new HostRefusals(log),
    assetPrefix: `${config.paths.login.replace(/\/[^/]*$/, "")}/`,
    b2c,
    client: async (cache) =>
      msalClient(config, credential, authority, network, await metadata.raw(), cache),
    async tenantClient(tenantId, cache) {
      const raw = await metadata.raw();
      if (!isMultiTenant(config)) {
        return msalClient(config, credential, authority, network, raw, cache);
      }
      // The multi-tenant metadata with the tenant's segment in every endpoint: what the tenant's
      // own document says, without a request for it.
      const segment = `/${config.tenantId}/`;
      const tenantRaw = raw.replaceAll(segment, `/${encodeURIComponent(tenantId)}/`);
      const tenantAuthority = `${config.authorityHost}/${encodeURIComponent(tenantId)}`;
      return msalClient(config, credential, tenantAuthority, network, tenantRaw, cache);
    },
    async probeIdentityProvider(timeoutMs) {
      // One client (one kept-alive connection) for every probe, not one per probe.
      probe ??= createNetworkClient({ trust, timeoutMs, retries: 0 });
      const url = `${authority}/v2.0/.well-known/openid-configuration`;
      const answer = await probe.sendGetRequestAsync<{ issuer?: unknown }>(url);
      if (answer.status !== 200 || typeof answer.body.issuer !== "string") {
        throw new EntranceError(
          "identity_provider_unavailable",
          `The authority's discovery document answered HTTP ${answer.status} without an issuer.`,
        );
      }
    },
    async expectedTenant() {
      if (isMultiTenant(config)) return undefined;
      return new URL((await metadata.document()).issuer).pathname.split("/")[1];
    },
    stored,
    formTargets() {
      const document = metadata.cached();
      if (!document) {
        metadata.warm();
        return [new URL(config.authorityHost).origin];
      }
      const endpoints = [document.authorization_endpoint, document.end_session_endpoint];
      return [
        ...new Set(endpoints.filter((e): e is string => Boolean(e)).map((e) => new URL(e).origin)),
      ];
    },
    evictIfSignedOut: (users) =>
      stored(async () => {
        for (const user of users) {
          const remaining = await store.sessions.listByUser(user.tenantId, user.objectId);
          if (remaining.length === 0) await tokens.evict(user.tenantId, user.objectId);
        }
      }),
  };
}
