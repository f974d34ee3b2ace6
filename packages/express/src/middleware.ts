import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  createEntrance,
  deferredStore,
  type Entrance,
  EntranceError,
  type EntranceOptions,
  writeWebResponse,
} from "@entrance/core";
import { openSqlStore } from "@entrance/store-sql";
import type { Client } from "@microsoft/microsoft-graph-client";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { toWebRequest } from "./negotiate.js";
import type { EntranceRequestContext, EntranceUser } from "./types.js";

/** Options of `entrance()`: those of the core, with the store optional (default: SQLite). */
export interface ExpressEntranceOptions extends Omit<EntranceOptions, "store"> {
  /** Default: `openSqlStore(DATABASE_URL)`, or a SQLite file `.entrance/entrance.db`. */
  readonly store?: EntranceOptions["store"];
}

/** The middleware, with the core it wraps for direct use (`.core`). */
export type EntranceMiddleware = RequestHandler & { readonly core: Entrance };

const DEFAULT_DATABASE = ".entrance/entrance.db";

/**
 * Sign-in with Microsoft Entra ID for an Express app: serves /auth/login, /auth/callback,
 * /auth/logout and /auth/frontchannel-logout, and gives every request `req.entrance` and every
 * template `user`, `loginUrl`, `logoutUrl` and `popupScriptUrl`. Configuration comes from
 * AZURE_* and ENTRANCE_* unless given; a bad value throws here, at start-up.
 *
 * @example
 * const app = express();
 * app.use(entrance());
 * app.get("/me", requireAuth(), (req, res) => res.json(req.entrance.user));
 */
export function entrance(options: ExpressEntranceOptions = {}): EntranceMiddleware {
  const env = options.env ?? process.env;
  const store = options.store ?? deferredStore(openDefaultStore(env.DATABASE_URL));
  const core = createEntrance({ ...options, store });
  const paths = new Set(
    Object.values(core.config.paths).filter((p) => p !== core.config.paths.afterLogout),
  );
  const assetPrefix = core.popupScriptUrl.replace(/[^/]*$/, "");

  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (paths.has(req.path) || req.path.startsWith(assetPrefix)) {
        const response = await core.handle(toWebRequest(req, core.config.baseUrl), {
          ip: req.ip ?? null,
        });
        if (response) {
          await writeWebResponse(res, response);
          return;
        }
      }
      const signedIn = await core.getSession(req.headers.cookie);
      const user: EntranceUser | null = signedIn
        ? { ...signedIn.user, permissions: core.permissionsOf(signedIn.user) }
        : null;
      let graph: Client | undefined;
      const context: EntranceRequestContext = {
        user,
        session: signedIn?.session ?? null,
        isSignedIn: signedIn !== null,
        loginUrl: (returnTo = req.originalUrl) => core.loginUrl(returnTo),
        logoutUrl: core.logoutUrl,
        loginUrlFor: (interaction, returnTo = req.originalUrl) =>
          core.loginUrlFor(interaction, returnTo),
        getAccessToken: (scopes, options) => {
          if (!user) return Promise.reject(notSignedIn());
          return core.getAccessToken(user, scopes, options);
        },
        core,
        get graph() {
          if (!user) throw notSignedIn();
          graph ??= core.graph(user);
          return graph;
        },
      };
      req.entrance = context;
      // A signed-in page is personal: no cache may keep it (Back after sign-out shows nothing).
      // A route may still choose otherwise by setting Cache-Control itself.
      if (signedIn) res.setHeader("cache-control", "no-store");
      res.locals.user = context.user;
      res.locals.loginUrl = context.loginUrl();
      res.locals.logoutUrl = context.logoutUrl;
      res.locals.popupScriptUrl = core.popupScriptUrl;
      next();
    } catch (error) {
      next(error);
    }
  };
  return Object.assign(middleware, { core });
}

function notSignedIn(): EntranceError {
  return new EntranceError("reauthentication_required", "No user is signed in on this request.");
}

function openDefaultStore(databaseUrl: string | undefined) {
  if (!databaseUrl) mkdirSync(dirname(DEFAULT_DATABASE), { recursive: true });
  return openSqlStore(databaseUrl ?? DEFAULT_DATABASE);
}
