/**
 * Requests per second on one API route behind a bearer token: bare Express (the baseline, no
 * check), Entrance's `requireBearer`, and jose's `jwtVerify` with `createRemoteJWKSet`, each in
 * its own Node process pinned to CPU 0, loaded by wrk pinned to CPU 1, in alternating rounds of
 * one run, with a real emulator token on every request and every answer checked. Then RS256
 * verification in a tight loop (node:crypto against jose). Prints a markdown report and writes it
 * with the rounds to bench/results/. Run with `npm run bench:bearer`; see bench/README.md.
 */
import { cpus, loadavg } from "node:os";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defaults, type RunningEmulator } from "@entrance/emulator";
import { signInWithoutBrowser } from "@entrance/emulator/testing";
import expressPackage from "express/package.json" with { type: "json" };
import josePackage from "jose/package.json" with { type: "json" };
import { CLIENT_ID, CLIENT_SECRET, type Started, startFleet } from "./fleet/fleet.js";
import { LOAD_CPU, progress, readInteger, runHarness, SERVER_CPU } from "./fleet/harness.js";
import { BEARER_BARE, BEARER_VARIANTS } from "./fleet/variants.js";
import { AUTOCANNON_VERSION, runAutocannon } from "./load/autocannon.js";
import { measure } from "./load/measure.js";
import { runWrk, wrkVersion } from "./load/wrk.js";
import { type PageReport, summarize, toMarkdown, writeText } from "./report/page-report.js";
import { API_PATH, API_SCOPE, renderOrders } from "./servers/api.js";
import { cryptoToJose, type LoopFigures, verifyLoops } from "./verify-loop.js";

const rounds = readInteger("BENCH_ROUNDS", 6, 1, 50);
const seconds = readInteger("BENCH_SECONDS", 5, 1, 120);
const warmUpSeconds = readInteger("BENCH_WARMUP_SECONDS", 3, 1, 60);
const rewarmSeconds = readInteger("BENCH_REWARM_SECONDS", 1, 1, 60);
const connections = readInteger("BENCH_CONNECTIONS", 50, 1, 1000);
const loopRounds = readInteger("BENCH_LOOP_ROUNDS", 5, 1, 50);
const loopSeconds = readInteger("BENCH_LOOP_SECONDS", 2, 1, 60);
const MIN_SERVER_CPU_SHARE = 0.9;
const REPEATS = 2;
const USER = "megan@contoso.onmicrosoft.com";
const wrk = wrkVersion();
const notes = wrk
  ? []
  : [
      `wrk is not installed (apt-get install -y wrk): the load came from autocannon ${AUTOCANNON_VERSION}, ` +
        "which may not saturate the fastest servers: the ratios are squeezed toward 1",
    ];

const expectedBody = renderOrders(defaults.users.admin);
const loadBefore = loadavg();
const started = Date.now();
const perVariant = warmUpSeconds + rounds * (rewarmSeconds + (1 + REPEATS) * seconds + 2);
const deadline = 300 + BEARER_VARIANTS.length * perVariant * 1.5 + loopRounds * loopSeconds * 6;

await runHarness("the bearer benchmark", Math.ceil(deadline), async ({ emulator, workDir }) => {
  const fleet = await startFleet(emulator, BEARER_VARIANTS, { cpu: SERVER_CPU, workDir });
  for (const { variant, server } of fleet) {
    progress(`${variant.id}: pid ${server.pid}, ${server.base}, pinned to CPU ${SERVER_CPU}`);
  }
  // Long enough for the whole run: an expired token would turn every answer into a 401.
  emulator.control.setLifetimes({ accessToken: Math.ceil(deadline) + 600 });
  const token = await apiToken(emulator, fleet);
  await checkServers(fleet, token);
  const measured = await measure({
    fleet,
    cookies: new Map(),
    authorization: `Bearer ${token}`,
    path: API_PATH,
    expectedBody,
    connections,
    seconds,
    warmUpSeconds,
    rewarmSeconds,
    minServerCpuShare: MIN_SERVER_CPU_SHARE,
    repeats: REPEATS,
    rounds,
    loadCpu: LOAD_CPU,
    generate: wrk ? (target) => runWrk(target, workDir) : runAutocannon,
    progress,
  });
  progress(`verify loops: ${loopRounds} rounds of ${loopSeconds} s each, on CPU ${LOAD_CPU}`);
  const loops = await verifyLoops({
    emulator,
    tenant: defaults.contoso,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scope: API_SCOPE,
    token,
    rounds: loopRounds,
    secondsPerRound: loopSeconds,
  });
  const date = new Date();
  const variants = summarize(BEARER_VARIANTS, BEARER_BARE, measured, MIN_SERVER_CPU_SHARE);
  const short = variants.filter((v) => v.shortRounds.length > 0);
  if (short.length > 0) {
    notes.push(
      `the machine was busy: in round(s) ${short.map((v) => `${v.shortRounds.join(", ")} of ${v.id}`).join("; ")} ` +
        `the server still had less than ${MIN_SERVER_CPU_SHARE * 100}% of its CPU; run again when it is quiet`,
    );
  }
  const report: PageReport = {
    benchmark: "API route behind a bearer token: Entrance and jose against bare Express, one run",
    date: date.toISOString(),
    command: command(),
    environment: {
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown"}`,
      "load average before (1/5/15 min)": loadBefore.map((l) => l.toFixed(2)).join(" / "),
      "load average after (1/5/15 min)": loadavg()
        .map((l) => l.toFixed(2))
        .join(" / "),
      "load generator": wrk
        ? `${wrk}, -t1 -c${connections}, pinned to CPU ${LOAD_CPU}`
        : `autocannon ${AUTOCANNON_VERSION} (fallback), ${connections} connections, pinned to CPU ${LOAD_CPU}`,
      servers: `one Node process each, pinned to CPU ${SERVER_CPU}, listening on 127.0.0.1`,
      versions: `express ${expressPackage.version}, jose ${josePackage.version}`,
      "took (s)": Math.round((Date.now() - started) / 1000),
    },
    settings: {
      path: `GET ${API_PATH} with Authorization: Bearer <a real v2.0 emulator token, ${token.length} characters, scp ${API_SCOPE}>`,
      "answer bytes": Buffer.byteLength(expectedBody),
      rounds,
      "seconds per round": seconds,
      "warm-up seconds per variant": warmUpSeconds,
      "unmeasured seconds before each measured run": rewarmSeconds,
      order: `warm-up of each, then ${rounds} rounds of (${BEARER_VARIANTS.map((v) => v.id).join(", ")}), every other round in reverse`,
    },
    variants,
    minServerCpuShare: MIN_SERVER_CPU_SHARE,
    notes,
  };
  const markdown = `${toMarkdown(report)}\n${loopMarkdown(loops)}`;
  const stamp = date.toISOString().slice(0, 16).replace(":", "");
  const file = fileURLToPath(new URL(`../results/bearer-${stamp}.md`, import.meta.url));
  await writeText(file, markdown);
  await writeText(
    file.replace(/\.md$/, ".json"),
    `${JSON.stringify({ ...report, loops, measured: rawRounds(measured) }, null, 2)}\n`,
  );
  process.stdout.write(markdown);
  for (const note of notes) progress(`warning: ${note}`);
  progress(`wrote ${relative(process.cwd(), file)} and its .json`);
});

/** A real v2.0 token for the bench app's API, from the emulator's sign-in pages. */
async function apiToken(emulator: RunningEmulator, fleet: readonly Started[]): Promise<string> {
  const first = fleet[0];
  if (!first) throw new Error("no server started");
  const { accessToken } = await signInWithoutBrowser(emulator, {
    user: USER,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${first.server.base}${first.variant.redirectPath}`,
    tenant: defaults.contoso,
    scopes: [`api://${CLIENT_ID}/${API_SCOPE}`],
  });
  return accessToken;
}

/**
 * Every server answers the expected bytes with the token; the two that check it refuse a request
 * without one and one with a changed signature, so that none of them is fast for doing nothing.
 */
async function checkServers(fleet: readonly Started[], token: string): Promise<void> {
  const last = token.at(-2) === "A" ? "B" : "A";
  const tampered = `${token.slice(0, -2)}${last}${token.slice(-1)}`;
  for (const { variant, server } of fleet) {
    const url = `${server.base}${API_PATH}`;
    const good = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (good.status !== 200 || (await good.text()) !== expectedBody) {
      throw new Error(`${variant.id} does not answer the expected bytes for the token`);
    }
    if (variant.id === BEARER_BARE.id) continue;
    for (const headers of [{}, { authorization: `Bearer ${tampered}` }]) {
      const refused = await fetch(url, { headers });
      if (refused.status !== 401) {
        throw new Error(`${variant.id} answered ${refused.status}, not 401, to a bad request`);
      }
    }
  }
}

function loopMarkdown(loops: readonly LoopFigures[]): string {
  const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  return [
    "### RS256 verification in a tight loop (one core, this process)",
    "",
    "| loop | operations/s, median (min–max) | by round |",
    "|---|--:|---|",
    ...loops.map(
      (l) =>
        `| ${l.label} | ${whole.format(l.opsPerSecond.median)} (${whole.format(l.opsPerSecond.min)}–${whole.format(l.opsPerSecond.max)}) | ${l.opsPerSecondByRound.map((v) => whole.format(v)).join(" / ")} |`,
    ),
    "",
    `node:crypto / jose, median of the rounds' ratios: ${cryptoToJose(loops).toFixed(2)}`,
    "",
  ].join("\n");
}

function rawRounds(measured: Awaited<ReturnType<typeof measure>>) {
  return {
    warmUp: Object.fromEntries(measured.warmUp),
    rounds: measured.rounds.map((round) => Object.fromEntries(round)),
  };
}

function command(): string {
  const run =
    process.env.npm_lifecycle_event === "bench:bearer"
      ? "npm run bench:bearer"
      : `node ${relative(process.cwd(), process.argv[1] ?? "bench/dist/bearer.js")}`;
  return `BENCH_ROUNDS=${rounds} BENCH_SECONDS=${seconds} BENCH_CONNECTIONS=${connections} BENCH_LOOP_ROUNDS=${loopRounds} BENCH_LOOP_SECONDS=${loopSeconds} ${run}`;
}
