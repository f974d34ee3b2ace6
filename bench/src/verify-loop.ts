/**
 * RS256 verification in a tight loop, in this process: node:crypto's `verify` with a KeyObject
 * (what Entrance's bearer guard does on a token it has not seen), jose's `jwtVerify` with the
 * same key (what a hand-rolled validator does on every request), and Entrance's whole guard on a
 * token it verified before (header, verified-token lookup, the route's checks). Alternating
 * rounds of a fixed time each; the figures are operations per second of one core.
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { bearerGuard, createEntrance, createMemoryStore, type RequestLike } from "@entrance/core";
import type { RunningEmulator } from "@entrance/emulator";
import { request } from "@entrance/emulator/testing";
import { trustCertificateAuthority } from "@entrance/express";
import { jwtVerify } from "jose";
import { median, type Spread, spread } from "./report/stats.js";

export interface LoopFigures {
  readonly id: string;
  readonly label: string;
  readonly opsPerSecondByRound: readonly number[];
  readonly opsPerSecond: Spread;
}

export interface LoopSetup {
  readonly emulator: RunningEmulator;
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  readonly token: string;
  readonly rounds: number;
  readonly secondsPerRound: number;
}

/** Runs the loops and checks, before any is timed, that each accepts the token. */
export async function verifyLoops(setup: LoopSetup): Promise<LoopFigures[]> {
  const { token } = setup;
  const key = await publishedKey(setup.emulator, setup.tenant, token);
  const second = token.lastIndexOf(".");
  const signingInput = token.slice(0, second);
  const signature = Buffer.from(token.slice(second + 1), "base64url");
  const core = createEntrance({
    tenantId: setup.tenant,
    clientId: setup.clientId,
    clientSecret: setup.clientSecret,
    authorityHost: setup.emulator.urls.https,
    baseUrl: "http://localhost:3000",
    secrets: ["entrance-bench-secret-entrance-bench-secret"],
    trust: trustCertificateAuthority(setup.emulator.caCertPem),
    store: createMemoryStore(),
    env: {},
  });
  const guard = core.guard(bearerGuard({ scopes: [setup.scope] }));
  const authorization = `Bearer ${token}`;
  const apiRequest: RequestLike = {
    method: "GET",
    url: "http://localhost:3000/api/orders",
    headers: { get: (name) => (name === "authorization" ? authorization : null) },
  };
  const guarded = () => {
    const context = core.contextNow(apiRequest);
    if (!context) throw new Error("the context needed a store read");
    return guard(context);
  };
  // Each accepts the token before anything is timed (the guard's first call fetches the keys).
  if (!verify("sha256", Buffer.from(signingInput, "latin1"), key, signature)) {
    throw new Error("node:crypto does not verify the emulator's token");
  }
  await jwtVerify(token, key, { algorithms: ["RS256"] });
  if ((await guarded()) !== null) throw new Error("Entrance's guard refuses the token");
  if (guarded() !== null) throw new Error("Entrance's guard did not answer from its cache");

  const loops: { id: string; label: string; run: (ms: number) => Promise<number> }[] = [
    {
      id: "node-crypto",
      label: "node:crypto verify, RS256, KeyObject",
      run: async (ms) =>
        count(ms, () => {
          if (!verify("sha256", Buffer.from(signingInput, "latin1"), key, signature)) {
            throw new Error("node:crypto refused the token");
          }
        }),
    },
    {
      id: "jose",
      label: "jose jwtVerify, RS256, same KeyObject",
      run: (ms) => countAsync(ms, () => jwtVerify(token, key, { algorithms: ["RS256"] })),
    },
    {
      id: "entrance-cached",
      label: "Entrance guard, token verified before",
      run: async (ms) =>
        count(ms, () => {
          if (guarded() !== null) throw new Error("Entrance's guard refused the token");
        }),
    },
  ];
  const byLoop = new Map(loops.map((loop) => [loop.id, [] as number[]]));
  for (let round = 0; round < setup.rounds; round++) {
    for (const loop of loops) {
      byLoop.get(loop.id)?.push(await loop.run(setup.secondsPerRound * 1000));
    }
  }
  await core.close();
  return loops.map((loop) => {
    const values = byLoop.get(loop.id) ?? [];
    return {
      id: loop.id,
      label: loop.label,
      opsPerSecondByRound: values,
      opsPerSecond: spread(values),
    };
  });
}

/** The ratio of node:crypto's verify to jose's, round by round, as the median. */
export function cryptoToJose(figures: readonly LoopFigures[]): number {
  const crypto = figures.find((f) => f.id === "node-crypto")?.opsPerSecondByRound ?? [];
  const jose = figures.find((f) => f.id === "jose")?.opsPerSecondByRound ?? [];
  return median(crypto.map((value, i) => value / (jose[i] ?? Number.NaN)));
}

/** Operations per second of `step` for about `ms`, checking the clock every 256 steps. */
function count(ms: number, step: () => void): number {
  const started = performance.now();
  let done = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < 256; i++) step();
    done += 256;
    elapsed = performance.now() - started;
  } while (elapsed < ms);
  return (done * 1000) / elapsed;
}

async function countAsync(ms: number, step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let done = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < 64; i++) await step();
    done += 64;
    elapsed = performance.now() - started;
  } while (elapsed < ms);
  return (done * 1000) / elapsed;
}

/** The published key that signed `token`, from the emulator's JWKS. */
async function publishedKey(
  emulator: RunningEmulator,
  tenant: string,
  token: string,
): Promise<KeyObject> {
  const { kid } = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as {
    kid: string;
  };
  const jwks = (
    await request(`${emulator.urls.https}/${tenant}/discovery/v2.0/keys`, {
      ca: emulator.caCertPem,
    })
  ).json<{ keys: { kid: string; kty: string; n: string; e: string }[] }>();
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`the emulator does not publish the key ${kid}`);
  return createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: "jwk" });
}
