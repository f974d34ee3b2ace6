import type { Endpoint, Fault, FaultQueue, RequestCounts } from "../control/faults.js";
import type { Exchange } from "./exchange.js";
import { type ErrorFaultResponder, playFault } from "./fault-response.js";

export type Params = Readonly<Record<string, string>>;
/** A route's handler; `fault` is a queued fault of a kind the route plays itself (`handlesFaults`). */
export type Handler = (exchange: Exchange, params: Params, fault?: Fault) => Promise<void> | void;

export interface RouteOptions {
  /** Counted under this name and subject to its faults. */
  readonly endpoint?: Endpoint;
  /** Served only over https: tokens and secrets never cross plain http. */
  readonly httpsOnly?: boolean;
  /**
   * Fault kinds the handler plays itself, because they change its answer rather than replace it
   * (an `id_token` defect, an `error` sent back to the app's redirect URI): handed to the handler.
   */
  readonly handlesFaults?: readonly Fault["kind"][];
}

interface Route extends RouteOptions {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handler: Handler;
}

/** Matches paths such as `/:tenant/oauth2/v2.0/token`; a `:name` segment matches one segment. */
export class Router {
  readonly #routes: Route[] = [];

  constructor(
    private readonly faults: FaultQueue,
    private readonly counts: RequestCounts,
    private readonly sendError: ErrorFaultResponder,
  ) {}

  on(
    methods: string | readonly string[],
    path: string,
    handler: Handler,
    options: RouteOptions = {},
  ) {
    const names: string[] = [];
    const source = path
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          names.push(segment.slice(1));
          return "([^/]+)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.#routes.push({
      methods: typeof methods === "string" ? [methods] : methods,
      pattern: new RegExp(`^${source}/?$`, "i"),
      names,
      handler,
      ...options,
    });
    return this;
  }

  /**
   * Finds the route for the path and method, applies a queued fault, and runs the handler.
   * Several routes may share a path with different methods: a path that matches only under other
   * methods is a 405 naming them all in `Allow`. Returns false when no route has the path.
   */
  async dispatch(exchange: Exchange): Promise<boolean> {
    const path = exchange.url.pathname;
    const method = exchange.method === "HEAD" ? "GET" : exchange.method;
    const matching = this.#routes.flatMap((route) => {
      const match = route.pattern.exec(path);
      return match ? [{ route, match }] : [];
    });
    if (matching.length === 0) return false;
    const found = matching.find(({ route }) => route.methods.includes(method));
    if (!found) {
      const allowed = new Set(matching.flatMap(({ route }) => route.methods));
      if (allowed.has("GET")) allowed.add("HEAD");
      exchange.sendJson(405, { error: "method_not_allowed" }, { allow: [...allowed].join(", ") });
      return true;
    }
    const { route, match } = found;
    if (route.httpsOnly && !exchange.secure) {
      exchange.sendJson(400, {
        error: "invalid_request",
        error_description: `${path} is served over https only: use the emulator's https base URL`,
      });
      return true;
    }
    const params: Record<string, string> = {};
    try {
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1] ?? "");
      });
    } catch {
      exchange.sendJson(400, {
        error: "invalid_request",
        error_description: `${path} is not a valid percent-encoded path`,
      });
      return true;
    }
    if (route.endpoint) {
      this.counts.add(route.endpoint);
      const fault = this.faults.take(route.endpoint);
      if (fault && route.handlesFaults?.includes(fault.kind)) {
        await route.handler(exchange, params, fault);
        return true;
      }
      if (fault && (await playFault(fault, exchange, this.sendError))) return true;
    }
    await route.handler(exchange, params);
    return true;
  }
}
