import { createServer } from "node:http";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  type DataPoint,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findTokens } from "../../../scripts/token-scan.mjs";
import type { UserKey } from "../src/index.js";
import { APP_BASE, browse, fresh, SECRET, startSignIn } from "./support/emulated.js";

/** A reader the test collects from when it wants, rather than on a timer. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let emulator: RunningEmulator;
const spans = new InMemorySpanExporter();
let reader: CollectingReader;
const LEE: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.member };

beforeAll(async () => {
  // What an app's SDK set-up does: a context manager (parent/child across awaits), a tracer
  // provider and a meter provider, registered globally before Entrance is created.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
  );
  reader = new CollectingReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
  trace.disable();
  metrics.disable();
  context.disable();
});
beforeEach(() => {
  spans.reset();
  emulator.control.setLifetimes({ accessToken: 3600 });
  emulator.control.clearFaults();
});

const named = (name: string) => spans.getFinishedSpans().filter((s) => s.name === name);
const only = (name: string): ReadableSpan => {
  const found = named(name);
  expect(found, name).toHaveLength(1);
  return found[0] as ReadableSpan;
};
const childrenOf = (parent: ReadableSpan) =>
  spans
    .getFinishedSpans()
    .filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

/** The data points of one metric, as collected now. */
async function points(name: string): Promise<DataPoint<unknown>[]> {
  const { resourceMetrics } = await reader.collect();
  const found = resourceMetrics.scopeMetrics
    .filter((scope) => scope.scope.name === "@entrance/core")
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name);
  return found.flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]);
}
const total = async (name: string) =>
  (await points(name)).reduce((sum, point) => sum + (point.value as number), 0);

/** Every attribute value of every span and metric point, as one text for the token scan. */
async function everyAttribute(): Promise<string> {
  const values: unknown[] = spans.getFinishedSpans().flatMap((s) => Object.values(s.attributes));
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) values.push(...Object.values(point.attributes));
    }
  }
  return values.map(String).join("\n");
}

describe("OpenTelemetry spans and metrics of a sign-in", () => {
  it("makes a login span and a callback span with the store and Entra calls as its children", async () => {
    const signInsBefore = await total("entrance.sign_ins");
    const { entrance, jar } = fresh(emulator);
    const callback = await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com");
    const done = await browse(entrance, jar, callback);
    expect(done.status).toBe(302);

    const login = only("entrance.login");
    expect(childrenOf(login).map((s) => s.name)).toContain("put transactions");

    const finish = only("entrance.callback");
    const children = childrenOf(finish);
    const names = children.map((s) => s.name);
    // The transaction taken once, the user, the session and the tokens written: each a store span.
    expect(names).toEqual(
      expect.arrayContaining([
        "take transactions",
        "upsert users",
        "create sessions",
        "put tokens",
        "POST",
      ]),
    );
    const take = children.find((s) => s.name === "take transactions");
    expect(take?.attributes).toEqual({
      "db.collection.name": "transactions",
      "db.operation.name": "take",
    });
    // The code redeemed at Entra's token endpoint: an HTTP client span, address and status only.
    const redeem = children.find((s) => s.name === "POST");
    expect(redeem?.attributes).toEqual({
      "http.request.method": "POST",
      "server.address": "localhost",
      "server.port": Number(new URL(emulator.urls.https).port),
      "http.response.status_code": 200,
    });
    expect(finish.status.code).not.toBe(2);

    expect(await total("entrance.sign_ins")).toBe(signInsBefore + 1);
    const store = await points("db.client.operation.duration");
    expect(store.map((p) => p.attributes["db.collection.name"])).toEqual(
      expect.arrayContaining(["transactions", "users", "sessions", "tokens"]),
    );

    // Nothing a span or metric carries is a token, the code, the state or the client secret.
    const text = await everyAttribute();
    expect(findTokens(text)).toEqual([]);
    const callbackUrl = new URL(callback);
    for (const secret of [
      callbackUrl.searchParams.get("code") ?? "missing",
      callbackUrl.searchParams.get("state") ?? "missing",
      defaults.webAppSecret,
      SECRET,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("counts a failed sign-in by its error code and Entra's AADSTS code, and marks the span", async () => {
    const { entrance, jar } = fresh(emulator);
    const login = await browse(entrance, jar, "/auth/login");
    const state = new URL(login.headers.get("location") ?? "").searchParams.get("state");
    const failed = await browse(
      entrance,
      jar,
      `/auth/callback?state=${state}&error=access_denied&error_description=${encodeURIComponent(
        "AADSTS65004: User declined to consent to access the app.",
      )}`,
    );
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const finish = only("entrance.callback");
    expect(finish.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(finish.attributes).toMatchObject({
      "error.type": "identity_provider_error",
      "entrance.aadsts": 65004,
    });
    const failures = await points("entrance.sign_in.failures");
    expect(failures).toContainEqual(
      expect.objectContaining({
        attributes: { "error.type": "identity_provider_error", "entrance.aadsts": 65004 },
        value: 1,
      }),
    );
  });
});

describe("OpenTelemetry on the signed-in page path", () => {
  it("makes no span and records no store call for a page answered from the session cache", async () => {
    const { entrance, jar } = fresh(emulator);
    await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    const page = () => new Request(`${APP_BASE}/orders`, { headers: { cookie: jar.header } });
    // The first request of a session reads it from the store (a span); the next ones do not.
    expect((entrance.contextNow(page()) ?? (await entrance.context(page())))?.user).toBeTruthy();
    spans.reset();
    const storeCalls = async () =>
      (await points("db.client.operation.duration")).reduce(
        (sum, point) => sum + (point.value as { count: number }).count,
        0,
      );
    const before = await storeCalls();
    for (let i = 0; i < 5; i++)
      expect(entrance.contextNow(page())?.user?.objectId).toBe(LEE.objectId);
    expect(spans.getFinishedSpans()).toEqual([]);
    expect(await storeCalls()).toBe(before);
  });
});

describe("OpenTelemetry spans and metrics of token acquisition", () => {
  it("says hit, refresh or wait on each acquisition, and counts hits, misses and refreshes", async () => {
    // Tokens of 60 s are refreshed at once (MSAL's 5 minutes of margin); the refresh gets an hour.
    emulator.control.setLifetimes({ accessToken: 60 });
    const { entrance, jar } = fresh(emulator);
    await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    emulator.control.setLifetimes({ accessToken: 3600 });
    spans.reset();
    const [hits, misses, refreshes] = await Promise.all([
      total("entrance.token.cache.hits"),
      total("entrance.token.cache.misses"),
      total("entrance.token.refreshes"),
    ]);

    await Promise.all([1, 2, 3].map(() => entrance.getAccessToken(LEE, ["User.Read"])));
    await entrance.getAccessToken(LEE, ["User.Read"]);

    const outcomes = named("entrance.token.acquire").map(
      (s) => s.attributes["entrance.token.outcome"],
    );
    expect(outcomes.sort()).toEqual(["hit", "refresh", "wait", "wait"]);
    expect(await total("entrance.token.cache.hits")).toBe(hits + 1);
    expect(await total("entrance.token.cache.misses")).toBe(misses + 3);
    expect(await total("entrance.token.refreshes")).toBe(refreshes + 1);

    // The refresh's own store reads and its POST to Entra are children of its span.
    const refresh = named("entrance.token.acquire").find(
      (s) => s.attributes["entrance.token.outcome"] === "refresh",
    );
    if (!refresh) throw new Error("no refresh span");
    const under = childrenOf(refresh).map((s) => s.name);
    expect(under).toContain("POST");
    expect(under).toContain("get tokens");
    expect(findTokens(await everyAttribute())).toEqual([]);
  });

  it("makes a client span for each Graph call, under the caller's span", async () => {
    const { entrance, jar } = fresh(emulator, { graphBaseUrl: emulator.urls.https });
    await browse(
      entrance,
      jar,
      await startSignIn(emulator, entrance, jar, "lee@contoso.onmicrosoft.com"),
    );
    spans.reset();
    const tracer = trace.getTracer("the-app");
    const me = await tracer.startActiveSpan("GET /profile", async (page) => {
      try {
        return await entrance.graph(LEE).api("/me").get();
      } finally {
        page.end();
      }
    });
    expect(me.id).toBe(LEE.objectId);
    const page = only("GET /profile");
    const gets = named("GET").filter(
      (s) => s.parentSpanContext?.spanId === page.spanContext().spanId,
    );
    expect(gets).toHaveLength(1);
    expect(gets[0]?.attributes).toMatchObject({
      "http.request.method": "GET",
      "server.address": "localhost",
      "http.response.status_code": 200,
    });
    expect(childrenOf(page).map((s) => s.name)).toContain("entrance.token.acquire");
  });

  it("makes a client span for a downstream API call, without its path or query", async () => {
    const api = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"orders":[]}');
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    try {
      const port = (api.address() as { port: number }).port;
      const { entrance } = fresh(emulator, {
        downstreamApis: {
          orders: {
            baseUrl: `http://127.0.0.1:${port}/v1/`,
            scopes: `api://${defaults.webApp}/.default`,
            as: "app",
            tenantId: defaults.contoso,
          },
        },
      });
      spans.reset();
      const answer = await entrance
        .downstream("orders", { nobody: true })
        .fetch("orders/42?customer=contoso-7731");
      expect(answer.status).toBe(200);
      const call = named("GET").find((s) => s.attributes["server.port"] === port);
      expect(call?.attributes).toEqual({
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "http.response.status_code": 200,
      });
      const text = await everyAttribute();
      expect(text).not.toContain("contoso-7731");
      expect(findTokens(text)).toEqual([]);
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
  });
});
