/**
 * OpenTelemetry for Entrance, through `@opentelemetry/api` only: without an SDK registered by the
 * app every call here is the API's no-op, and with one the spans and metrics go wherever the app
 * exports them. Spans are made only around work that is already asynchronous and costly (a store
 * call, a request to Entra, Graph or a downstream API, a sign-in); a signed-in page answered from
 * the session cache makes none.
 *
 * Attributes are names, codes, outcomes and addresses — never a token, an authorization code, a
 * secret, a cookie, a URL's query or a user's identifiers.
 */
import {
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { findEntranceError } from "../errors/entrance-error.js";

/** The instrumentation scope every span and metric of Entrance carries. */
export const SCOPE = "@entrance/core";

// A ProxyTracer: it follows a provider the app registers after this module is loaded.
const tracer = trace.getTracer(SCOPE);

/** Entrance's instruments, made on the meter provider registered when they are first needed. */
export interface Instruments {
  /** Sign-ins completed (`entrance.sign_ins`). */
  readonly signIns: Counter;
  /** Sign-ins that failed, by `error.type` (Entrance code) and `entrance.aadsts`. */
  readonly signInFailures: Counter;
  /** Access tokens answered from the user's partition without MSAL. */
  readonly tokenCacheHits: Counter;
  /** Access tokens that needed MSAL (a refresh, or a wait for one in flight). */
  readonly tokenCacheMisses: Counter;
  /** Access tokens Entra issued from a refresh token. */
  readonly tokenRefreshes: Counter;
  /** Store call durations, in seconds (`db.client.operation.duration`). */
  readonly storeDuration: Histogram;
}

let made: { provider: MeterProvider; instruments: Instruments } | undefined;

/**
 * The instruments on the current global meter provider. The metrics API has no proxy meter (a
 * meter taken before the app registers its provider would stay a no-op), so they are remade
 * when the provider changes: one comparison per call otherwise.
 */
export function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (made?.provider === provider) return made.instruments;
  const meter = provider.getMeter(SCOPE);
  const instruments: Instruments = {
    signIns: meter.createCounter("entrance.sign_ins", {
      description: "Sign-ins completed",
      unit: "{sign_in}",
    }),
    signInFailures: meter.createCounter("entrance.sign_in.failures", {
      description: "Sign-ins that failed, by Entrance error code and AADSTS code",
      unit: "{sign_in}",
    }),
    tokenCacheHits: meter.createCounter("entrance.token.cache.hits", {
      description: "Access tokens answered from the user's token partition",
      unit: "{token}",
    }),
    tokenCacheMisses: meter.createCounter("entrance.token.cache.misses", {
      description: "Access tokens that needed MSAL: a refresh or a wait for one in flight",
      unit: "{token}",
    }),
    tokenRefreshes: meter.createCounter("entrance.token.refreshes", {
      description: "Access tokens Entra issued from a refresh token",
      unit: "{token}",
    }),
    storeDuration: meter.createHistogram("db.client.operation.duration", {
      description: "Duration of Entrance's store operations",
      unit: "s",
      advice: {
        explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      },
    }),
  };
  made = { provider, instruments };
  return instruments;
}

/** `error.type` for a failure: the Entrance code when there is one, else the error's name. */
export function errorType(error: unknown): string {
  return findEntranceError(error)?.code ?? (error as Error | undefined)?.name ?? "_OTHER";
}

/** Marks a span failed with the error's type; the message stays out (it may quote a response). */
export function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  span.setAttribute("error.type", errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `work` in a span that is the active one inside it, so store and HTTP spans started by the
 * work become its children. The span ends when the work settles; a failure marks it.
 */
export function inSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes | undefined,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const options = attributes === undefined ? { kind } : { kind, attributes };
  return tracer.startActiveSpan(name, options, async (span): Promise<T> => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * An HTTP client span as the semantic conventions name it (`GET`, with method, server address and
 * port, status code). The URL's path and query are left out: they may carry an app's data.
 */
export function httpClientSpan<T>(
  method: string,
  url: URL | string,
  work: () => Promise<T>,
  statusOf: (result: T) => number,
): Promise<T> {
  const parsed = typeof url === "string" ? new URL(url) : url;
  const port = parsed.port
    ? Number(parsed.port)
    : parsed.protocol === "https:"
      ? 443
      : parsed.protocol === "http:"
        ? 80
        : undefined;
  return inSpan(
    method,
    SpanKind.CLIENT,
    {
      "http.request.method": method,
      "server.address": parsed.hostname,
      ...(port === undefined ? {} : { "server.port": port }),
    },
    async (span) => {
      const result = await work();
      const status = statusOf(result);
      if (span.isRecording()) {
        span.setAttribute("http.response.status_code", status);
        if (status >= 400) {
          span.setAttribute("error.type", String(status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      return result;
    },
  );
}

/**
 * One store operation (`sessions.get`, say) as telemetry sees it: each call is a span named as the
 * semantic conventions name database calls (`get sessions`, with `db.operation.name` and
 * `db.collection.name`) and a duration in the `db.client.operation.duration` histogram. Made once
 * per operation, so that a call allocates no attributes unless it fails.
 */
export class StoreOperation {
  readonly #name: string;
  readonly #attributes: Attributes;

  constructor(collection: string, operation: string) {
    this.#name = `${operation} ${collection}`;
    this.#attributes = Object.freeze({
      "db.collection.name": collection,
      "db.operation.name": operation,
    });
  }

  /**
   * Starts a call. The span does not become the active one: a store call starts nothing beneath
   * it, and not entering a context spares the context manager's work on every call.
   */
  start(): { readonly span: Span; readonly started: number } {
    const span = tracer.startSpan(this.#name, {
      kind: SpanKind.CLIENT,
      attributes: this.#attributes,
    });
    return { span, started: performance.now() };
  }

  /** Ends a call started by {@link start}, with its failure if it failed. */
  end(call: { readonly span: Span; readonly started: number }, error?: unknown): void {
    const seconds = (performance.now() - call.started) / 1000;
    let attributes = this.#attributes;
    if (error !== undefined) {
      attributes = { ...attributes, "error.type": errorType(error) };
      failSpan(call.span, error);
    }
    instruments().storeDuration.record(seconds, attributes);
    call.span.end();
  }
}

export { SpanKind };
