/**
 * The fallback load generator when wrk is missing: autocannon in a process of its own, which the
 * harness pins to the load generator's CPU. Reads a LoadTarget as JSON from BENCH_TARGET and prints
 * one line `BENCH-RESULT <LoadResult as JSON>`.
 */
import autocannon from "autocannon";
import type { LoadResult, LoadTarget } from "./load-result.js";

const target = JSON.parse(process.env.BENCH_TARGET ?? "{}") as LoadTarget;
const result = await autocannon({
  url: target.url,
  connections: target.connections,
  duration: target.seconds,
  headers: {
    accept: "text/html",
    ...(target.cookie ? { cookie: target.cookie } : {}),
    ...(target.authorization ? { authorization: target.authorization } : {}),
  },
  expectBody: target.expectedBody,
});
const summary: LoadResult = {
  requests: result.requests.total,
  seconds: result.duration,
  // Not requests.average: that averages per-second samples, one of which may be short.
  requestsPerSecond: result.requests.total / result.duration,
  latencyP50Ms: result.latency.p50,
  latencyP99Ms: result.latency.p99,
  wrong: result.non2xx + result.mismatches,
  errors: result.errors + result.timeouts,
  firstWrong: result.non2xx > 0 ? "a non-2xx status" : result.mismatches > 0 ? "another page" : "",
};
process.stdout.write(`BENCH-RESULT ${JSON.stringify(summary)}\n`);
