import { defaults } from "@entrance/emulator";
import type { StoreKind } from "../stores/backends.js";

/** One server under test in the page benchmark. */
export interface Variant {
  readonly id: string;
  /** What the table calls it. */
  readonly label: string;
  /** Its script in bench/dist/servers, without `.js`. */
  readonly script: string;
  /** False for the baseline, which has no sign-in at all. */
  readonly signsIn: boolean;
  /**
   * True for the other libraries: they trust the emulator's CA through NODE_EXTRA_CA_CERTS, as an
   * app of theirs would trust a private CA; Entrance is handed it with trustCertificateAuthority.
   */
  readonly peer: boolean;
  /** Where the emulator sends the browser back to (its redirect URI's path). */
  readonly redirectPath: string;
  /** The authority's tenant segment. */
  readonly tenant: string;
  /** Entrance's `session.cacheSeconds`, when not the default. */
  readonly cacheSeconds?: number;
  /** Entrance's store, when not SQLite (see ServerSetup.store). */
  readonly store?: StoreKind;
}

/** The baseline, first: every other variant's ratio is to it, round by round. */
export const BARE: Variant = {
  id: "bare",
  label: "bare Express 5 (no sign-in)",
  script: "bare",
  signsIn: false,
  peer: false,
  redirectPath: "/",
  tenant: "organizations",
};

/**
 * Bare Express with the two layers Entrance puts on the page's path and nothing in them: an
 * `app.use` middleware and a route middleware before the handler, each calling `next()`. The
 * share of the gap to bare that is Express's own cost of a middleware, which no library can save.
 */
export const BARE_LAYERS: Variant = {
  ...BARE,
  id: "bare-layers",
  label: "bare Express 5 + two empty middlewares",
  script: "bare-layers",
};

/**
 * Bare Express in a process that also holds an Entrance core, made as the Entrance server makes
 * it (its SQLite store open), that no request passes through: the page is bare's. What the gap
 * to bare owes to the process — Entrance's modules, MSAL, the store, a larger heap to collect —
 * rather than to the work each request does.
 */
export const BARE_LOADED: Variant = {
  ...BARE,
  id: "bare-loaded",
  label: "bare Express 5, Entrance loaded but not mounted",
  script: "bare-loaded",
};

export const ENTRANCE_CACHED: Variant = {
  id: "entrance-cached",
  label: "Entrance, SQLite, cacheSeconds 5 (default)",
  script: "entrance",
  signsIn: true,
  peer: false,
  redirectPath: "/auth/callback",
  tenant: "organizations",
};

export const ENTRANCE_UNCACHED: Variant = {
  ...ENTRANCE_CACHED,
  id: "entrance-uncached",
  label: "Entrance, SQLite, cacheSeconds 0",
  cacheSeconds: 0,
};

export const OPENID_CONNECT: Variant = {
  id: "openid-connect",
  label: "express-openid-connect, cookie session",
  script: "openid-connect",
  signsIn: true,
  peer: true,
  redirectPath: "/callback",
  // A tenant's authority: openid-client checks the ID token's issuer against the discovered one,
  // which for `organizations` is Entra's `{tenantid}` template.
  tenant: defaults.contoso,
};

export const MSAL_SESSION: Variant = {
  id: "msal-session",
  label: "MSAL Node sample: express-session + token cache",
  script: "msal-session",
  signsIn: true,
  peer: true,
  redirectPath: "/auth/redirect",
  tenant: defaults.contoso,
};

/** In the order of every round. */
export const VARIANTS: readonly Variant[] = [
  BARE,
  BARE_LAYERS,
  BARE_LOADED,
  ENTRANCE_CACHED,
  ENTRANCE_UNCACHED,
  OPENID_CONNECT,
  MSAL_SESSION,
];

/** The bearer benchmark's baseline: the API route with no token checked. */
export const BEARER_BARE: Variant = {
  id: "bare",
  label: "bare Express 5 (no token checked)",
  script: "bearer-bare",
  signsIn: false,
  peer: false,
  redirectPath: "/",
  tenant: defaults.contoso,
};

export const BEARER_ENTRANCE: Variant = {
  id: "entrance",
  label: "Entrance requireBearer (node:crypto, verified-token cache)",
  script: "bearer-entrance",
  signsIn: false,
  peer: false,
  redirectPath: "/",
  tenant: defaults.contoso,
};

export const BEARER_JOSE: Variant = {
  id: "jose",
  label: "jose jwtVerify + createRemoteJWKSet",
  script: "bearer-jose",
  signsIn: false,
  peer: true,
  redirectPath: "/",
  tenant: defaults.contoso,
};

/** The bearer benchmark's servers, in the order of every round. */
export const BEARER_VARIANTS: readonly Variant[] = [BEARER_BARE, BEARER_ENTRANCE, BEARER_JOSE];

/**
 * `--frameworks`: each framework bare (its group's baseline, first), with Entrance (next to its
 * baseline in every round), and with the framework's own layers that Entrance puts on the page's
 * path and nothing in them (as `bare-layers` for Express).
 */
const onFramework = (
  id: string,
  label: string,
  baseline: Variant,
  layers: Pick<Variant, "label" | "script">,
): readonly Variant[] => [
  baseline,
  {
    ...ENTRANCE_CACHED,
    id: `entrance-${id}`,
    label: `Entrance on ${label}, SQLite, cacheSeconds 5 (default)`,
    script: `${id}-entrance`,
  },
  { ...baseline, id: `${id}-layers`, ...layers },
];

/** Groups measured in one run, each ratio to the bare framework of its own group. */
export const FRAMEWORK_PAIRS: readonly (readonly Variant[])[] = [
  onFramework(
    "fastify",
    "Fastify 5",
    {
      ...BARE,
      id: "bare-fastify",
      label: "bare Fastify 5 (no sign-in)",
      script: "fastify-bare",
    },
    {
      label: "bare Fastify 5 + an empty onRequest hook and preHandler",
      script: "fastify-hooks",
    },
  ),
  onFramework(
    "hono",
    "Hono 4 (@hono/node-server)",
    {
      ...BARE,
      id: "bare-hono",
      label: "bare Hono 4 on @hono/node-server (no sign-in)",
      script: "hono-bare",
    },
    {
      label: "bare Hono 4 + two empty middlewares",
      script: "hono-layers",
    },
  ),
];

const STORE_LABELS: Readonly<Record<StoreKind, string>> = {
  memory: "memory store (@entrance/core)",
  sqlite: "SQLite",
  postgres: "PostgreSQL",
  redis: "Redis sessions + SQLite directory (composeStores)",
};

/** `--stores`: Entrance's page on each store, session cache on (default) and off. */
const onStore = (store: StoreKind): readonly Variant[] => [
  {
    ...ENTRANCE_CACHED,
    id: `${store}-cached`,
    label: `Entrance, ${STORE_LABELS[store]}, cacheSeconds 5 (default)`,
    store,
  },
  {
    ...ENTRANCE_CACHED,
    id: `${store}-uncached`,
    label: `Entrance, ${STORE_LABELS[store]}, cacheSeconds 0`,
    store,
    cacheSeconds: 0,
  },
];

/** The stores benchmark's servers, bare Express (the baseline) first, in the order of every round. */
export const STORE_VARIANTS: readonly Variant[] = [
  BARE,
  ...(["memory", "sqlite", "postgres", "redis"] as const).flatMap(onStore),
];
