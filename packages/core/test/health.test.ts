import { createServer } from "node:net";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStore, type EntranceStore } from "../src/index.js";
import { entranceFor, SECRET } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => {
  emulator.control.clearFaults();
});

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A memory store whose session side cannot be reached, as a driver reports it. */
function sessionsDown(): EntranceStore {
  const store = createMemoryStore();
  const refused = () =>
    Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
  return { ...store, sessions: { ...store.sessions, get: refused } };
}

/** What a probe reads: status, headers, body. */
async function probe(response: Response) {
  const text = await response.text();
  return {
    status: response.status,
    cache: response.headers.get("cache-control"),
    type: response.headers.get("content-type"),
    text,
    body: JSON.parse(text),
  };
}

describe("health for a load balancer's probe", () => {
  it("passes with every dependency's latency when the stores and Entra answer", async () => {
    const entrance = entranceFor(emulator, createMemoryStore());
    const answer = await probe(await entrance.healthResponse());
    expect(answer).toMatchObject({ status: 200, cache: "no-store", type: "application/json" });
    expect(answer.body).toMatchObject({
      ok: true,
      status: "pass",
      checks: {
        sessionStore: { ok: true, ms: expect.any(Number) },
        directoryStore: { ok: true, ms: expect.any(Number) },
        identityProvider: { ok: true, ms: expect.any(Number) },
      },
    });
    // Codes and timings only: no secret, no configuration.
    for (const secret of [defaults.webAppSecret, SECRET, defaults.webApp]) {
      expect(answer.text).not.toContain(secret);
    }
  });

  it("warns, still 200, when Entra's metadata is down, and asks Entra at most once per 10 s", async () => {
    emulator.control.queueFault("discovery", { kind: "status", status: 503 }, 20);
    const entrance = entranceFor(emulator, createMemoryStore());
    emulator.control.resetCounts();
    const answer = await probe(await entrance.healthResponse());
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      ok: false,
      status: "warn",
      checks: {
        sessionStore: { ok: true },
        identityProvider: { ok: false, error: "identity_provider_unavailable" },
      },
    });
    const asked = emulator.control.counts().discovery ?? 0;
    expect(asked).toBeGreaterThanOrEqual(1);
    // Probes in the next seconds reuse that answer rather than becoming Entra's traffic.
    for (let i = 0; i < 5; i++) await entrance.health();
    expect(emulator.control.counts().discovery ?? 0).toBe(asked);
  });

  it("warns when the authority host cannot be reached at all (a closed port)", async () => {
    const entrance = entranceFor(emulator, createMemoryStore(), {
      authorityHost: `https://127.0.0.1:${await closedPort()}`,
    });
    const health = await entrance.health();
    expect(health.status).toBe("warn");
    expect(health.checks.identityProvider).toMatchObject({
      ok: false,
      error: "identity_provider_unavailable",
    });
  });

  it("fails with 503, naming the store that does not answer, never the driver's message", async () => {
    const entrance = entranceFor(emulator, sessionsDown());
    const answer = await probe(await entrance.healthResponse());
    expect(answer.status).toBe(503);
    expect(answer.cache).toBe("no-store");
    expect(answer.body).toMatchObject({
      ok: false,
      status: "fail",
      checks: {
        sessionStore: { ok: false, error: "store_unavailable" },
        directoryStore: { ok: true },
        identityProvider: { ok: true },
      },
    });
    expect(answer.text).not.toContain("ECONNREFUSED");
  });
});
