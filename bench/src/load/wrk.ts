import { spawnSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "../fleet/run-command.js";
import { type LoadResult, type LoadTarget, OVERRUN_SECONDS } from "./load-result.js";

/**
 * wrk's Lua side: sends the cookie, checks every answer (status 200 and the expected page byte
 * for byte; wrk hands each body to `response`), and prints the counts and latencies as one line
 * of JSON after a marker. The cookie, the Authorization header and the path of the expected page
 * come in the environment, so that no token is on a command line.
 */
const CHECK_SCRIPT = `
local cookie = os.getenv("BENCH_COOKIE")
local file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
local expected = file:read("*a")
file:close()
if cookie and cookie ~= "" then wrk.headers["Cookie"] = cookie end
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then wrk.headers["Authorization"] = authorization end
wrk.headers["Accept"] = "text/html"

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  good, wrong, first_wrong = 0, 0, ""
end

function response(status, headers, body)
  if status == 200 and body == expected then
    good = good + 1
  else
    wrong = wrong + 1
    if first_wrong == "" then
      first_wrong = "HTTP " .. status .. " " .. string.sub(body or "", 1, 120)
    end
  end
end

function done(summary, latency, requests)
  local good, wrong, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    good = good + thread:get("good")
    wrong = wrong + thread:get("wrong")
    if first == "" then first = thread:get("first_wrong") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests":%d,"durationUs":%d,"good":%d,"wrong":%d,"errors":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, good, wrong,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
  io.write("BENCH-FIRST-WRONG " .. string.gsub(first, "\\n", " ") .. "\\n")
end
`;

/** Runs of wrk so far in this process, naming each run's files. */
let runs = 0;

/** wrk's version line, or null when wrk is not installed. */
export function wrkVersion(): string | null {
  const probe = spawnSync("wrk", ["-v"], { encoding: "utf8" });
  if (probe.error) return null;
  const line = `${probe.stdout}${probe.stderr}`.split("\n")[0] ?? "";
  return line.replace(/\s*Copyright.*$/, "").trim() || "wrk";
}

/** Runs wrk (one thread) pinned to `target.cpu` against one server; checks every answer. */
export async function runWrk(target: LoadTarget, workDir: string): Promise<LoadResult> {
  // Files of this run's own: runs at the same time must not rewrite what another wrk reads.
  const run = ++runs;
  const script = join(workDir, `check-page-${run}.lua`);
  const bodyFile = join(workDir, `expected-page-${run}.html`);
  await writeFile(script, CHECK_SCRIPT);
  await writeFile(bodyFile, target.expectedBody);
  const args = [
    "-c",
    String(target.cpu),
    "wrk",
    "-t1",
    `-c${target.connections}`,
    `-d${target.seconds}s`,
    "--timeout",
    "5s",
    "-s",
    script,
    target.url,
  ];
  const env = {
    ...process.env,
    BENCH_COOKIE: target.cookie ?? "",
    BENCH_AUTHORIZATION: target.authorization ?? "",
    BENCH_BODY_FILE: bodyFile,
  };
  const output = await runCommand(
    "taskset",
    args,
    env,
    (target.seconds + OVERRUN_SECONDS) * 1000,
  ).finally(() => Promise.all([rm(script, { force: true }), rm(bodyFile, { force: true })]));
  const json = /^BENCH-RESULT (.*)$/m.exec(output)?.[1];
  if (!json) throw new Error(`wrk printed no result:\n${output}`);
  const raw = JSON.parse(json) as {
    requests: number;
    durationUs: number;
    good: number;
    wrong: number;
    errors: number;
    p50Us: number;
    p99Us: number;
  };
  if (raw.good + raw.wrong !== raw.requests) {
    throw new Error(`wrk counted ${raw.requests} answers but checked ${raw.good + raw.wrong}`);
  }
  const seconds = raw.durationUs / 1e6;
  return {
    requests: raw.requests,
    seconds,
    requestsPerSecond: raw.requests / seconds,
    latencyP50Ms: raw.p50Us / 1000,
    latencyP99Ms: raw.p99Us / 1000,
    wrong: raw.wrong,
    errors: raw.errors,
    firstWrong: /^BENCH-FIRST-WRONG (.*)$/m.exec(output)?.[1]?.trim() ?? "",
  };
}
