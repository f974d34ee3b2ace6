import {
  type Entrance,
  fromThisSite,
  readWebBody,
  type SafeHtml,
  type SignedIn,
  type UserRecord,
} from "@entrance/core";
import { ACTIONS, type ActionName, noticeFor } from "./actions.js";
import { CsrfTokens } from "./csrf.js";
import { nameOf } from "./format.js";
import { type AdminOptions, type ResolvedAdminOptions, resolveOptions } from "./options.js";
import { auditLog, userDetail, usersList } from "./pages.js";
import { methodNotAllowed, page, redirect, stylesheet } from "./responses.js";
import { AdminUrls, type UserKey } from "./urls.js";
import { confirmPage } from "./views/confirm.js";
import { forbiddenPage, problemPage } from "./views/errors.js";
import type { Frame } from "./views/layout.js";

/** Per-request facts an adapter knows and a `Request` does not carry. */
export interface AdminRequestContext {
  /** The client's address, recorded with the administrator's actions in the audit log. */
  readonly ip?: string | null;
}

/** The admin panel as `Request` → `Response`, for any framework to mount. */
export interface EntranceAdmin {
  /** The validated options (role, base path, page size). */
  readonly options: ResolvedAdminOptions;
  /** Serves every page and action under `basePath`; any other path is a 404. */
  handle(request: Request, context?: AdminRequestContext): Promise<Response>;
}

/** A form is a few hundred bytes; anything much larger is not one of ours. */
const MAX_FORM_BYTES = 8 * 1024;

/** One admin's request, once the guard has let it through. */
interface Visit {
  readonly request: Request;
  readonly url: URL;
  readonly method: "GET" | "POST";
  readonly signedIn: SignedIn;
  readonly frame: Frame;
  readonly ip: string | null;
}

/**
 * The admin panel on an Entrance core: users (search, paging, detail with sessions, tokens and
 * group resolution), actions on them (end sessions, evict tokens, disable, enable — each confirmed
 * and CSRF-protected) and the audit log. Staff sign in through the app's own Entra sign-in and must
 * hold `adminRole`. Server-rendered HTML, no script. Options are validated here, at start-up.
 *
 * @example
 * const admin = createAdmin(entrance, { basePath: "/admin" });
 * const response = await admin.handle(request, { ip }); // for any path under /admin
 */
export function createAdmin(
  entrance: Entrance,
  options: Partial<AdminOptions> = {},
): EntranceAdmin {
  const resolved = resolveOptions({
    ...options,
    adminRole: options.adminRole ?? entrance.config.authorization.adminRole,
    basePath: options.basePath ?? "/admin",
  });
  if (entrance.trustsNoTenant) {
    entrance.logger.warn(
      { event: "admin_nobody_can_enter" },
      `entrance admin: this multi-tenant app trusts no tenant's app roles, so nobody can open the admin panel. ` +
        `Set authorization.trustedTenants (ENTRANCE_TRUSTED_TENANTS) to the tenant ids whose "${resolved.adminRole}" assignments you control.`,
    );
  }
  return new AdminPanel(entrance, resolved);
}

class AdminPanel implements EntranceAdmin {
  readonly #urls: AdminUrls;
  readonly #csrf: CsrfTokens;

  constructor(
    readonly entrance: Entrance,
    readonly options: ResolvedAdminOptions,
  ) {
    this.#urls = new AdminUrls(options.basePath);
    this.#csrf = new CsrfTokens(entrance.config.secrets);
  }

  async handle(request: Request, context: AdminRequestContext = {}): Promise<Response> {
    try {
      const response = await this.#route(request, context.ip ?? null);
      return request.method === "HEAD" ? new Response(null, response) : response;
    } catch (error) {
      this.entrance.logger.error(
        { event: "admin_request_failed", error },
        "entrance admin: request failed",
      );
      return page(
        500,
        problemPage(this.#frame(null), {
          title: "The admin panel could not answer",
          message: "Reading or writing Entrance's store failed. Try again in a moment.",
          back: { href: this.#urls.users(), label: "Back to users" },
        }),
      );
    }
  }

  async #route(request: Request, ip: string | null): Promise<Response> {
    const url = new URL(request.url);
    const base = this.options.basePath;
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return this.#notFound(null);
    const sub = url.pathname.slice(base.length);
    const method = request.method === "HEAD" ? "GET" : request.method;
    if (method !== "GET" && method !== "POST") return methodNotAllowed("GET, HEAD, POST");
    if (sub === "/admin.css") {
      return method === "GET" ? stylesheet(url.searchParams.get("v")) : methodNotAllowed("GET");
    }

    const signedIn = await this.entrance.getSession(request.headers.get("cookie"));
    if (!signedIn) {
      // After signing in, a POST's page is shown again to confirm: the form is not replayed.
      const back = method === "GET" ? `${url.pathname}${url.search}` : url.pathname;
      return redirect(302, this.entrance.loginUrl(back));
    }
    // Roles are read at sign-in: an administrator signs in again after `maxAuthenticationAge`, so
    // a role removed or an account disabled in Entra closes the panel within that time.
    const age = Date.now() - signedIn.session.createdAt.getTime();
    if (age > this.options.maxAuthenticationAge * 1000) {
      const back = method === "GET" ? `${url.pathname}${url.search}` : url.pathname;
      return redirect(302, this.entrance.loginUrl(back));
    }
    const { user } = signedIn;
    // The roles that count: none for a user of a tenant the app does not trust (see getSession).
    if (!user.roles.includes(this.options.adminRole)) {
      const switchAccount = `${this.entrance.loginUrl(`${url.pathname}${url.search}`)}&prompt=select_account`;
      return page(
        403,
        forbiddenPage(
          this.#frame(null),
          { name: nameOf(user), username: user.username },
          this.options.adminRole,
          switchAccount,
        ),
      );
    }

    const segments = decodeSegments(sub);
    if (!segments) return this.#notFound(signedIn);
    const visit: Visit = { request, url, method, signedIn, frame: this.#frame(user), ip };
    const [section, tenantId, objectId, ...rest] = segments;
    if (section === undefined) return redirect(302, this.#urls.users());
    if (section === "users" && tenantId === undefined) {
      return method === "GET" ? usersList(this.#view(), visit.frame, url) : methodNotAllowed("GET");
    }
    if (section === "audit" && tenantId === undefined) {
      return method === "GET" ? auditLog(this.#view(), visit.frame, url) : methodNotAllowed("GET");
    }
    if (section === "users" && tenantId !== undefined && objectId !== undefined) {
      const key = { tenantId, objectId };
      if (rest.length === 0) {
        if (method !== "GET") return methodNotAllowed("GET");
        return userDetail(this.#view(), visit.frame, key, signedIn, {
          notice: noticeFor(url.searchParams.get("done"), url.searchParams.get("n")),
        });
      }
      const [first, second, third, ...extra] = rest;
      if (extra.length === 0 && first === "sessions" && second !== undefined && third === "end")
        return this.#action(visit, key, "end-session", second);
      if (rest.length === 1 && first && first !== "end-session" && Object.hasOwn(ACTIONS, first))
        return this.#action(visit, key, first as ActionName);
    }
    return this.#notFound(signedIn);
  }

  /** GET: the confirmation page with its form. POST: checks, performs, and back to the user. */
  async #action(
    visit: Visit,
    key: UserKey,
    name: ActionName,
    sessionHash?: string,
  ): Promise<Response> {
    const { store } = this.entrance;
    const target = await store.users.get(key.tenantId, key.objectId);
    if (!target) return this.#notFound(visit.signedIn);
    const actor = visit.signedIn.user;
    const path =
      name === "end-session"
        ? this.#urls.endSession(target, sessionHash ?? "")
        : this.#urls.action(target, name);
    const sessions = await store.sessions.listByUser(target.tenantId, target.objectId);
    const session = sessionHash ? sessions.find((s) => s.idHash === sessionHash) : undefined;
    const back = this.#urls.user(target);
    if (name === "disable" && isSelf(actor, target)) {
      return page(
        400,
        problemPage(visit.frame, {
          title: "You cannot disable yourself",
          message:
            "Disabling your own account would lock you out of this panel. Another administrator can disable it.",
          back: { href: back, label: "Back to the user" },
        }),
      );
    }
    if (name === "end-session" && !session && visit.method === "GET") {
      return redirect(303, this.#urls.user(target, { done: "session-gone" }));
    }
    const context = {
      entrance: this.entrance,
      target,
      actor: { user: actor, ip: visit.ip },
      session,
    };
    const action = ACTIONS[name];

    if (visit.method === "GET") {
      const csrfToken = this.#csrf.issue(visit.signedIn.session.idHash, path);
      return page(
        200,
        confirmPage(visit.frame, {
          ...action.confirmation(context, sessions),
          action: path,
          csrfToken,
          cancel: back,
        }),
      );
    }

    const refusal = await this.#checkPost(visit, path);
    if (refusal) return refusal;
    const outcome = await action.perform(context);
    const query: Record<string, string | number> = { done: outcome.done };
    if (outcome.n !== undefined) query.n = outcome.n;
    return redirect(303, this.#urls.user(target, query));
  }

  /** A POST must come from this site and carry the token of a form rendered for this session. */
  async #checkPost(visit: Visit, path: string): Promise<Response | null> {
    // The request's own public origin (one of the allowed hosts without baseUrl).
    const origin = this.entrance.origins.checked(visit.request.url);
    const sameSite = origin !== null && fromThisSite(visit.request, origin);
    const form = sameSite ? await readForm(visit.request) : null;
    if (form && this.#csrf.verify(visit.signedIn.session.idHash, path, form.get("csrf")))
      return null;
    return page(
      403,
      problemPage(visit.frame, {
        title: "This action was not confirmed here",
        message: sameSite
          ? "The form was out of date or did not come from this admin panel, so nothing was changed. Open the action again and confirm it."
          : "The request came from another site, so nothing was changed.",
        back: { href: path, label: "Open the action again" },
      }),
    );
  }

  #view() {
    return { entrance: this.entrance, urls: this.#urls, pageSize: this.options.pageSize };
  }

  #frame(viewer: UserRecord | null): Frame {
    return {
      urls: this.#urls,
      viewer: viewer && { name: nameOf(viewer), username: viewer.username },
      logoutUrl: this.entrance.logoutUrl,
    };
  }

  #notFound(signedIn: SignedIn | null): Response {
    const frame = this.#frame(signedIn?.user ?? null);
    const body: SafeHtml = problemPage(frame, {
      title: "Not found",
      message: "There is no such page or user in the admin panel.",
      back: { href: this.#urls.users(), label: "Back to users" },
    });
    return page(404, body);
  }
}

function isSelf(a: { tenantId: string; objectId: string }, b: UserKey): boolean {
  return a.tenantId === b.tenantId && a.objectId === b.objectId;
}

/** The path below the base as decoded segments; null when one cannot be decoded. */
function decodeSegments(sub: string): string[] | null {
  try {
    return sub
      .split("/")
      .filter(Boolean)
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return null;
  }
}

/** The posted form, when it is a small urlencoded one. */
async function readForm(request: Request): Promise<URLSearchParams | null> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) return null;
  if (Number(request.headers.get("content-length") ?? 0) > MAX_FORM_BYTES) return null;
  // Read up to the bound only: a chunked body says nothing of its size beforehand.
  const text = await readWebBody(request, MAX_FORM_BYTES);
  return text === null ? null : new URLSearchParams(text);
}
