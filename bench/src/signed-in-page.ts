/**
 * Requests per second on one signed-in page, served by bare Express (the baseline), Entrance
 * (cached and uncached sessions), express-openid-connect and Microsoft's MSAL Node sample
 * pattern, each in its own Node process pinned to CPU 0, loaded by wrk pinned to CPU 1, in
 * alternating rounds of one run; every answer is checked. Prints a markdown table and writes it
 * with the rounds to bench/results/. Run with `npm run bench` from the repository root; see
 * bench/README.md for the settings. With `--frameworks` (`npm run bench:frameworks`): bare
 * Fastify and Hono and Entrance on each, each ratio to its own bare framework. With `--stores`
 * (`npm run bench:stores`): Entrance on Express with each store (memory, SQLite, PostgreSQL,
 * Redis), session cache on and off, against bare Express.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import msalPackage from "@azure/msal-node/package.json" with { type: "json" };
import type { RunningEmulator } from "@entrance/emulator";
import expressPackage from "express/package.json" with { type: "json" };
import openIdConnectPackage from "express-openid-connect/package.json" with { type: "json" };
import sessionPackage from "express-session/package.json" with { type: "json" };
import fastifyPackage from "fastify/package.json" with { type: "json" };
import { type Started, startFleet } from "./fleet/fleet.js";
import { LOAD_CPU, progress, readInteger, runHarness, SERVER_CPU } from "./fleet/harness.js";
import { signInThroughApp } from "./fleet/sign-in.js";
import {
  VARIANTS as ALL_VARIANTS,
  BARE,
  FRAMEWORK_PAIRS,
  STORE_VARIANTS,
  type Variant,
} from "./fleet/variants.js";
import { AUTOCANNON_VERSION, runAutocannon } from "./load/autocannon.js";
import { measure } from "./load/measure.js";
import { runWrk, wrkVersion } from "./load/wrk.js";
import { type PageReport, summarize, toMarkdown, writeText } from "./report/page-report.js";
import { BENCH_USER, PAGE_PATH, renderPage } from "./servers/page.js";
import {
  type Backends,
  checkSessionsStored,
  prepareBackends,
  type StoreKind,
} from "./stores/backends.js";

const frameworks = process.argv.includes("--frameworks");
/**
 * BENCH_TOGETHER=1 (the default with `--frameworks`): each group's servers measured at the same
 * time on their shared core (MeasureOptions.together), the rates those of each server's own CPU
 * time. On the 2-core cloud machine this was built on, a core's speed moved by up to a half
 * within seconds: measured one after another, Hono's two empty middlewares measured 0.54–1.00 of
 * bare Hono between the rounds of one run; measured together, 0.92–0.98.
 */
const together = readInteger("BENCH_TOGETHER", frameworks ? 1 : 0, 0, 1) === 1;
const rounds = readInteger("BENCH_ROUNDS", together ? 10 : 6, 1, 50);
const seconds = readInteger("BENCH_SECONDS", 5, 1, 120);
/**
 * 10 s: Entrance's servers, with more code for the JIT to settle, kept getting faster through the
 * first rounds after a 3 s warm-up (0.74 → 0.85 of bare over six rounds); after 15 s they were
 * flat. Every variant, the baselines included, gets the same warm-up.
 */
const warmUpSeconds = readInteger("BENCH_WARMUP_SECONDS", 10, 1, 60);
const rewarmSeconds = readInteger("BENCH_REWARM_SECONDS", 1, 1, 60);
const connections = readInteger("BENCH_CONNECTIONS", 50, 1, 1000);
const profileDir = process.env.BENCH_CPU_PROF_DIR || undefined;
/** Further Node flags for every server (e.g. `--trace-gc`), the same for baseline and variants. */
const extraNodeFlags = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");
const stores = !frameworks && process.argv.includes("--stores");
/**
 * BENCH_ONLY=entrance-cached,msal-session measures those against the baseline, which always runs
 * (with `--stores`, e.g. BENCH_ONLY=sqlite-cached,redis-cached).
 */
const only = (process.env.BENCH_ONLY ?? "").split(",").filter((id) => id !== "");
const pool = frameworks ? FRAMEWORK_PAIRS.flat() : stores ? STORE_VARIANTS : ALL_VARIANTS;
for (const id of only) {
  if (!pool.some((v) => v.id === id)) {
    throw new Error(`BENCH_ONLY: no variant ${id} (${pool.map((v) => v.id).join(", ")})`);
  }
}
/** A group's baseline and, with BENCH_ONLY, the chosen variants; null when none is chosen. */
const chosen = (group: readonly Variant[]): Variant[] | null => {
  if (only.length === 0) return [...group];
  const [baseline, ...rest] = group as [Variant, ...Variant[]];
  const picked = rest.filter((v) => only.includes(v.id));
  return picked.length > 0 ? [baseline, ...picked] : null;
};
/** Groups of variants measured together; each group's first is the baseline of its ratios. */
const groups = (frameworks ? FRAMEWORK_PAIRS : [stores ? STORE_VARIANTS : ALL_VARIANTS])
  .map(chosen)
  .filter((group) => group !== null);
const VARIANTS = groups.flat();
/** Below this share of its CPU a server's measured run is repeated (the machine is shared). */
const MIN_SERVER_CPU_SHARE = 0.9;
const REPEATS = 2;
const wrk = wrkVersion();
const notes = wrk
  ? []
  : [
      `wrk is not installed (apt-get install -y wrk): the load came from autocannon ${AUTOCANNON_VERSION} ` +
        `in a Node process pinned to CPU ${LOAD_CPU}, which generates less load per core than wrk ` +
        "and may not saturate the fastest servers: the ratios are squeezed toward 1",
    ];
for (const note of notes) progress(`warning: ${note}`);

const expectedBody = renderPage(BENCH_USER.name);
const loadBefore = loadavg();
const started = Date.now();
const perVariant = warmUpSeconds + rounds * (rewarmSeconds + (1 + REPEATS) * seconds + 2);
const deadline = 300 + VARIANTS.length * perVariant * 1.5;

await runHarness("the page benchmark", Math.ceil(deadline), async (harness) => {
  const { emulator, workDir } = harness;
  // Before any server starts: a PostgreSQL or Redis that does not answer stops the run here.
  const backends: Backends = stores
    ? await prepareBackends(storeKinds(VARIANTS), harness.onCleanUp, leaveOut)
    : { versions: {} };
  if (backends.postgres) progress(`PostgreSQL: this run's schema ${backends.postgres.schema}`);
  if (backends.redis) progress(`Redis: this run's key prefix ${backends.redis.keyPrefix}`);
  const fleet = await startFleet(emulator, VARIANTS, {
    cpu: SERVER_CPU,
    workDir,
    backends,
    nodeFlags: [
      ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
      ...extraNodeFlags,
    ],
  });
  for (const { variant, server } of fleet) {
    progress(`${variant.id}: pid ${server.pid}, ${server.base}, pinned to CPU ${SERVER_CPU}`);
  }
  const cookies = await signInAll(emulator, fleet);
  await checkSessionsStored(backends, {
    postgres: VARIANTS.filter((v) => v.store === "postgres").length,
    redis: VARIANTS.filter((v) => v.store === "redis").length,
  });
  const measured = await measure({
    fleet,
    cookies,
    path: PAGE_PATH,
    expectedBody,
    connections,
    seconds,
    warmUpSeconds,
    rewarmSeconds,
    minServerCpuShare: MIN_SERVER_CPU_SHARE,
    repeats: REPEATS,
    rounds,
    ...(together
      ? {
          together: groups.map((group) =>
            group.map((variant) => {
              const one = fleet.find((started) => started.variant.id === variant.id);
              if (!one) throw new Error(`no server for ${variant.id}`);
              return one;
            }),
          ),
        }
      : {}),
    loadCpu: LOAD_CPU,
    generate: wrk ? (target) => runWrk(target, workDir) : runAutocannon,
    progress,
  });
  const date = new Date();
  const variants = groups.flatMap((group) =>
    summarize(group, group[0] ?? BARE, measured, MIN_SERVER_CPU_SHARE),
  );
  const short = variants.filter((v) => v.shortRounds.length > 0);
  if (short.length > 0) {
    notes.push(
      `the machine was busy: in round(s) ${short.map((v) => `${v.shortRounds.join(", ")} of ${v.id}`).join("; ")} ` +
        `the server still had less than ${MIN_SERVER_CPU_SHARE * 100}% of its CPU; run again when it is quiet`,
    );
  }
  if (profileDir) notes.push("servers ran under --cpu-prof: slower");
  if (together) {
    notes.push(
      "each group's servers ran at the same time on one core (BENCH_TOGETHER=1): each had about " +
        "its share of that core, so its rate is answers per second of its own CPU time, and its " +
        "latencies are those of a shared core; BENCH_TOGETHER=0 measures them one after another",
    );
  }
  if (backends.postgres || backends.redis) {
    notes.push(
      "PostgreSQL and Redis are the machine's own servers, not pinned: their CPU is shared with " +
        "the server and wrk, and is not in the CPU µs per answer column",
    );
  }
  const report: PageReport = {
    benchmark: frameworks
      ? "Signed-in page: Entrance on Fastify and on Hono, each against its bare framework, one run"
      : stores
        ? "Signed-in page: Entrance on each store, session cache on and off, against bare Express, one run"
        : "Signed-in page: Entrance and its peers against bare Express, one run",
    date: date.toISOString(),
    command: command(),
    environment: {
      node: process.version,
      // os.cpus(), not availableParallelism(): this process is pinned to one CPU by now.
      cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown"}`,
      "load average before (1/5/15 min)": loadBefore.map((l) => l.toFixed(2)).join(" / "),
      "load average after (1/5/15 min)": loadavg()
        .map((l) => l.toFixed(2))
        .join(" / "),
      "load generator": wrk
        ? `${wrk}, -t1 -c${connections}, pinned to CPU ${LOAD_CPU}`
        : `autocannon ${AUTOCANNON_VERSION} (fallback), ${connections} connections, pinned to CPU ${LOAD_CPU}`,
      servers: `one Node process each, pinned to CPU ${SERVER_CPU}, listening on 127.0.0.1`,
      versions: frameworks
        ? `fastify ${fastifyPackage.version}, hono ${pinned("hono")}, @hono/node-server ${pinned("@hono/node-server")}`
        : stores
          ? [
              `express ${expressPackage.version}`,
              ...Object.entries(backends.versions).map(([name, version]) => `${name} ${version}`),
              `pg ${pinned("pg")}, ioredis ${pinned("ioredis")}`,
            ].join(", ")
          : `express ${expressPackage.version}, express-openid-connect ${openIdConnectPackage.version}, express-session ${sessionPackage.version}, @azure/msal-node ${msalPackage.version}`,
      "took (s)": Math.round((Date.now() - started) / 1000),
    },
    settings: {
      path: PAGE_PATH,
      "page bytes": Buffer.byteLength(expectedBody),
      rounds,
      "seconds per round": seconds,
      "warm-up seconds per variant": warmUpSeconds,
      "unmeasured seconds before each measured run": rewarmSeconds,
      order: together
        ? `warm-up of each alone, then ${rounds} rounds, each running ${groups.map((group) => `(${group.map((v) => v.id).join(" + ")})`).join(", then ")} at the same time, each server loaded by a wrk of its own`
        : `warm-up of each, then ${rounds} rounds of (${VARIANTS.map((v) => v.id).join(", ")}), every other round in reverse`,
    },
    variants,
    minServerCpuShare: MIN_SERVER_CPU_SHARE,
    notes,
    together: measured.together,
  };
  const markdown = toMarkdown(report);
  const stamp = date.toISOString().slice(0, 16).replace(":", "");
  const name = frameworks ? "frameworks" : stores ? "stores" : "page";
  const file = fileURLToPath(new URL(`../results/${name}-${stamp}.md`, import.meta.url));
  await writeText(file, markdown);
  await writeText(
    file.replace(/\.md$/, ".json"),
    `${JSON.stringify({ ...report, measured: rawRounds(measured) }, null, 2)}\n`,
  );
  process.stdout.write(markdown);
  for (const note of notes) progress(`warning: ${note}`);
  progress(
    `wrote ${relative(process.cwd(), file)} and its .json (${Math.round((Date.now() - started) / 1000)} s)`,
  );
});

/**
 * Signs Megan in to every server that has sign-in, through its own flow and the emulator's pages;
 * checks that each then answers the page and sends a browser without the cookie elsewhere, and
 * that the baseline answers the same page. Returns the cookie of each.
 */
async function signInAll(
  emulator: RunningEmulator,
  fleet: readonly Started[],
): Promise<Map<string, string | undefined>> {
  const cookies = new Map<string, string | undefined>();
  for (const { variant, server } of fleet) {
    const url = `${server.base}${PAGE_PATH}`;
    if (!variant.signsIn) {
      const page = await fetch(url);
      if (page.status !== 200 || (await page.text()) !== expectedBody) {
        throw new Error(`the ${variant.id} server's ${PAGE_PATH} is not the expected page`);
      }
      cookies.set(variant.id, undefined);
      continue;
    }
    progress(`signing ${BENCH_USER.upn} in to ${variant.id}`);
    const browser = await signInThroughApp(emulator, server.base, PAGE_PATH, BENCH_USER.upn);
    if (browser.page !== expectedBody) {
      throw new Error(`${variant.id} answered another page once signed in: ${browser.page}`);
    }
    const anonymous = await fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
    if (anonymous.status < 300 || anonymous.status > 399) {
      throw new Error(
        `${variant.id} answered ${anonymous.status} without a session, not a redirect`,
      );
    }
    cookies.set(variant.id, browser.cookie);
  }
  return cookies;
}

/** The stores the variants run on (SQLite when a variant names none). */
function storeKinds(variants: readonly Variant[]): Set<StoreKind> {
  return new Set(variants.flatMap((v) => (v.signsIn ? [v.store ?? "sqlite"] : [])));
}

/** How to run without the variants on one store: the BENCH_ONLY that leaves them out. */
function leaveOut(kind: StoreKind): string {
  const others = VARIANTS.filter((v) => v !== BARE && v.store !== kind).map((v) => v.id);
  return others.length > 0 ? `BENCH_ONLY=${others.join(",")}` : "BENCH_ONLY=<other variants>";
}

/** The measured runs as plain data, for the JSON file. */
function rawRounds(measured: Awaited<ReturnType<typeof measure>>) {
  return {
    warmUp: Object.fromEntries(measured.warmUp),
    rounds: measured.rounds.map((round) => Object.fromEntries(round)),
  };
}

/** The version bench/package.json pins (hono's manifest is not among its exports). */
function pinned(name: string): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return String(manifest.dependencies?.[name] ?? "unknown");
}

/** How to run this again with the same settings. */
function command(): string {
  const run = process.env.npm_lifecycle_event?.startsWith("bench")
    ? `npm run ${process.env.npm_lifecycle_event}`
    : `node ${relative(process.cwd(), process.argv[1] ?? "bench/dist/signed-in-page.js")}`;
  const flag = frameworks ? " --frameworks" : stores ? " --stores" : "";
  const direct = run.startsWith("node ") ? flag : "";
  const selection = only.length > 0 ? `BENCH_ONLY=${only.join(",")} ` : "";
  return `${selection}BENCH_TOGETHER=${together ? 1 : 0} BENCH_ROUNDS=${rounds} BENCH_SECONDS=${seconds} BENCH_CONNECTIONS=${connections} ${run}${direct}`;
}
