/**
 * The code examples of docs/operations.md, as written there, compiled and run: the docs cannot
 * drift from the API while these pass.
 */
import { createServer } from "node:http";
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createEntrance, createMemoryStore, writeWebResponse } from "../src/index.js";
import { APP_BASE, SECRET } from "./support/emulated.js";

const settings = {
  tenantId: "contoso.onmicrosoft.com",
  clientId: "00000000-0000-0000-0000-000000000001",
  clientSecret: "not-a-real-secret",
  // A closed port: no test reaches for the real Entra.
  authorityHost: "https://127.0.0.1:1",
  baseUrl: APP_BASE,
  secrets: [SECRET],
  env: {},
};

afterAll(() => {
  trace.disable();
  metrics.disable();
  context.disable();
});

describe("docs/operations.md examples", () => {
  it("takes pino as its logger", () => {
    const store = createMemoryStore();
    const entrance = createEntrance({ ...settings, store, logger: pino({ enabled: false }) });
    expect(entrance.redirectUri).toBe(`${APP_BASE}/auth/callback`);
  });

  it("serves healthResponse() on a plain Node server", async () => {
    const entrance = createEntrance({ ...settings, store: createMemoryStore() });
    const probe = createServer(async (req, res) => {
      if (req.url === "/healthz") await writeWebResponse(res, await entrance.healthResponse());
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = probe.address() as { port: number };
      const answer = await fetch(`http://127.0.0.1:${port}/healthz`);
      // No identity provider on that port: the stores answer, so `warn` and 200.
      expect(answer.status).toBe(200);
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(((await answer.json()) as { checks: object }).checks).toHaveProperty("sessionStore");
    } finally {
      await new Promise((resolve) => probe.close(resolve));
    }
  });

  // Last: from here on, spans would be printed.
  it("registers an OpenTelemetry SDK as the traces section shows", () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new TracerProvider({
        spanProcessors: [new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })],
      }),
    );
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [] }));
    expect(trace.getTracer("docs").startSpan("x").isRecording()).toBe(true);
  });
});
