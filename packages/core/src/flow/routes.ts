/** Entrance's own paths, by method: path → flow. Everything else is the app's. */
import { EntranceError, findEntranceError } from "../errors/entrance-error.js";
import type { Responder } from "../http/responses.js";
import type { EntranceOptions, RequestInfo } from "../options.js";
import type { Runtime } from "../runtime.js";
import { inSpan, instruments, SpanKind } from "../telemetry/otel.js";
import { editProfilePolicy, type StartPolicy } from "./b2c.js";
import { finishSignIn } from "./callback.js";
import { startSignIn } from "./login.js";
import { LoginLimit } from "./login-limit.js";
import { confirmSignOut, frontchannelLogout, signOut } from "./logout.js";
import { POPUP_COMPLETE_SCRIPT, POPUP_SCRIPT } from "./pages.js";
import type { Sweeper } from "./sweep.js";

/** Failures of a sign-in that reached Entra and back: never folded into others' events. */
const SECURITY_SIGNALS: ReadonlySet<string> = new Set([
  "id_token_invalid",
  "tenant_not_allowed",
  "user_disabled",
  "sign_in_refused",
]);

const ASSETS: ReadonlyMap<string, string> = new Map([
  ["popup.js", POPUP_SCRIPT],
  ["popup-complete.js", POPUP_COMPLETE_SCRIPT],
]);

/** A request on a host the app does not answer on (`allowedHosts`), or not over https. */
export function hostNotAllowed(): EntranceError {
  return new EntranceError(
    "host_not_allowed",
    "This app does not answer on this address. If you run it, add the host to ENTRANCE_ALLOWED_HOSTS (or set ENTRANCE_BASE_URL), and serve it over https.",
  );
}

export class Routes {
  readonly limit: LoginLimit;

  constructor(
    private readonly rt: Runtime,
    private readonly onSignIn: EntranceOptions["onSignIn"],
    private readonly responder: Responder,
    private readonly sweeper: Sweeper,
  ) {
    this.limit = new LoginLimit(rt.config.pendingSignIns.perAddress, rt.config.loginTimeout);
  }

  /** Starts another B2C policy from the callback, as `GET {paths.login}?returnTo=` would. */
  #startPolicy(request: Request, info: RequestInfo, origin: string): StartPolicy {
    return (policy, returnTo, popup) => {
      const url = new URL(this.rt.config.paths.login, origin);
      url.searchParams.set("returnTo", returnTo);
      if (popup) url.searchParams.set("popup", "1");
      return startSignIn(this.rt, this.limit, request, url, info, origin, policy);
    };
  }

  /** Whether `pathname` is one of Entrance's (an adapter may skip `handle` for the others). */
  owns(pathname: string): boolean {
    const { paths } = this.rt.config;
    return (
      pathname === paths.login ||
      pathname === paths.callback ||
      pathname === paths.logout ||
      pathname === paths.frontchannelLogout ||
      (this.rt.b2c !== undefined && pathname === paths.profile) ||
      (pathname.startsWith(this.rt.assetPrefix) &&
        ASSETS.has(pathname.slice(this.rt.assetPrefix.length)))
    );
  }

  /** The response for one of Entrance's paths; null for any other path or method. */
  async handle(request: Request, info: RequestInfo): Promise<Response | null> {
    const url = new URL(request.url);
    const { paths } = this.rt.config;
    const method = request.method;
    this.sweeper.maybeSweep();
    try {
      const origin = this.rt.origins.checked(request.url);
      if (origin === null) {
        this.rt.hostRefusals.note(request.headers);
        throw hostNotAllowed();
      }
      if (method === "GET" && url.pathname === paths.login) {
        return await inSpan("entrance.login", SpanKind.INTERNAL, undefined, () =>
          startSignIn(this.rt, this.limit, request, url, info, origin),
        );
      }
      if (method === "GET" && url.pathname === paths.callback) {
        return await inSpan("entrance.callback", SpanKind.INTERNAL, undefined, async (span) => {
          try {
            const response = await finishSignIn(
              this.rt,
              this.onSignIn,
              request,
              url,
              info,
              origin,
              this.#startPolicy(request, info, origin),
            );
            instruments().signIns.add(1);
            this.rt.logger.info({ event: "sign_in" }, "entrance: signed in");
            return response;
          } catch (error) {
            // Entra's own code (AADSTS50011 …) is what an operator searches for; never its message.
            const aadsts = findEntranceError(error)?.aadsts;
            if (aadsts !== undefined) span.setAttribute("entrance.aadsts", aadsts);
            this.rt.logger.info(
              {
                event: "sign_in_failed",
                errorCode: findEntranceError(error)?.code ?? "unknown",
                ...(aadsts === undefined ? {} : { aadsts }),
                error,
              },
              "entrance: a sign-in failed",
            );
            throw error;
          }
        }).catch(async (error: unknown) => {
          const failure = findEntranceError(error);
          instruments().signInFailures.add(1, {
            "error.type": failure?.code ?? "_OTHER",
            ...(failure?.aadsts === undefined ? {} : { "entrance.aadsts": failure.aadsts }),
          });
          await this.rt.trail.recordFailure(
            {
              type: "sign_in_failed",
              detail: failure ? `${failure.code}: ${failure.message}` : "sign-in failed",
              aadsts: failure?.aadsts ?? null,
              ip: info.ip ?? null,
            },
            SECURITY_SIGNALS.has(failure?.code ?? ""),
          );
          throw error;
        });
      }
      if (method === "GET" && this.rt.b2c && url.pathname === paths.profile) {
        // The profile-edit policy is a sign-in of its own: its ID token (the new name) replaces
        // the session's user, and the browser comes back to `returnTo`.
        return await startSignIn(
          this.rt,
          this.limit,
          request,
          url,
          info,
          origin,
          editProfilePolicy(this.rt),
        );
      }
      if (method === "GET" && url.pathname === paths.logout) return await confirmSignOut(this.rt);
      if (method === "POST" && url.pathname === paths.logout)
        return await signOut(this.rt, request, origin);
      if (method === "GET" && url.pathname === paths.frontchannelLogout) {
        return await frontchannelLogout(this.rt, url);
      }
      const asset = url.pathname.startsWith(this.rt.assetPrefix)
        ? ASSETS.get(url.pathname.slice(this.rt.assetPrefix.length))
        : undefined;
      if (method === "GET" && asset) {
        return new Response(asset, {
          headers: {
            "content-type": "text/javascript; charset=utf-8",
            "cache-control": "public, max-age=3600",
          },
        });
      }
      return null;
    } catch (error) {
      return this.responder.error(error, request);
    }
  }
}
