/**
 * What an adapter's test gives the suite: a way to start an app on that framework with Entrance,
 * serving the routes below. The suite does the rest over real HTTP against a started emulator.
 */
import type { EntranceOptions } from "@entrance/core";

/** The guards, by the name used in the suite's paths (`/page/{name}`, `/api/{name}`). */
export const GUARDS = ["auth", "scopes", "role", "group", "permission"] as const;
export type GuardName = (typeof GUARDS)[number];

/** What each guard requires in the suite's app. */
export const REQUIRES = {
  scopes: "Calendars.Read",
  role: "Entrance.Admin",
  group: "Engineering",
  permission: "orders.approve",
} as const;

/**
 * What the suite's two `requireBearer` routes require: a user's token with the delegated scope
 * (`requireBearer({ scopes: [scope] })`), or an app-only token with the app role
 * (`requireBearer({ roles: [role] })`). The emulator's web app exposes both.
 */
export const BEARER = { scope: "Orders.Read", role: "Orders.Read.All" } as const;

/**
 * The app a harness starts. After Entrance (configured with `options(baseUrl)`), and with the
 * adapter's security headers on every app route, it serves:
 *
 * | route | answer |
 * | --- | --- |
 * | `GET /` | JSON of what templates see: `{ user: user?.username ?? null, loginUrl, logoutUrl, popupScriptUrl }`, read from the framework's template data |
 * | `GET /whoami` | JSON `{ signedIn, oid }` from the request's context (`oid`: the user's objectId or null) |
 * | `GET /page/{guard}` | behind that guard ({@link REQUIRES}): HTML `<p>{guard} page</p>` |
 * | `GET /api/{guard}` | behind that guard: JSON `{ guard, oid }` |
 * | `GET /api/bearer/user` | behind the middleware's own `requireBearer({ scopes: [BEARER.scope] })`: JSON `{ caller }` from the request's context |
 * | `GET /api/bearer/app` | behind the standalone `requireBearer({ roles: [BEARER.role] })` (imported from the adapter, built after Entrance): JSON `{ caller }` |
 * | `GET /api/calendar` | no guard: `getAccessToken("Calendars.Read")` in the handler, JSON `{ scopes }`; an Entrance error it throws goes to the adapter's error answer |
 * | `/admin/*` | the admin panel, mounted the adapter's way |
 */
export interface AdapterHarness {
  /**
   * Starts the app on 127.0.0.1, port 0. `options(baseUrl)` gives Entrance's options once the
   * port is known (`baseUrl` is `http://localhost:{port}`).
   */
  start(options: (baseUrl: string) => EntranceOptions): Promise<RunningApp>;
}

/** An app a harness started. */
export interface RunningApp {
  /** `http://localhost:{port}`. */
  readonly baseUrl: string;
  /** Stops the server and closes Entrance. */
  stop(): Promise<void>;
}
