/**
 * What the telemetry of a store call costs when no OpenTelemetry SDK is installed (the API's
 * no-op tracer and meter), against the cheapest store read there is (the memory store's). A
 * micro-benchmark: `npm test` runs it briefly as a smoke test and asserts nothing about time;
 * for figures, run it alone on a quiet machine:
 *
 *   ENTRANCE_BENCH_ITERATIONS=1000000 npx vitest run packages/core/test/telemetry-cost.test.ts
 */
import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../src/index.js";
import { StoreOperation } from "../src/telemetry/otel.js";

const ITERATIONS = Number(process.env.ENTRANCE_BENCH_ITERATIONS ?? 2_000);

async function perCall(run: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(ITERATIONS, 1_000); i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await run();
  return Number(process.hrtime.bigint() - started) / ITERATIONS;
}

describe("the cost of store telemetry without an SDK (micro-benchmark, smoke run)", () => {
  it("measures a span and a duration per store call against a memory-store read", async () => {
    // No SDK registered: what an app that installs none gets.
    expect(trace.getTracer("probe").startSpan("x").isRecording()).toBe(false);
    const store = createMemoryStore();
    const operation = new StoreOperation("sessions", "get");
    const read = await perCall(() => store.sessions.get("absent"));
    const telemetry = await perCall(() => operation.end(operation.start()));
    expect(read).toBeGreaterThan(0);
    expect(telemetry).toBeGreaterThan(0);
    if (process.env.ENTRANCE_BENCH_ITERATIONS) {
      process.stdout.write(
        `store telemetry without an SDK: ${telemetry.toFixed(0)} ns a call; ` +
          `a memory-store read: ${read.toFixed(0)} ns (${ITERATIONS} iterations)\n`,
      );
    }
  });
});
