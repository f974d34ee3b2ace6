/**
 * Requests per second on a signed-in page through @entrance/express with the SQLite store,
 * against the same page on bare Express 5, measured in one run; prints a markdown table and the
 * ratio, and writes bench/results/signed-in-page.json. Run with `npm run bench` from the repo
 * root; BENCH_SECONDS sets the length of each measured round (default 10).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import autocannonPackage from "autocannon/package.json" with { type: "json" };
import { assertClean, load, type Run } from "./load.js";
import { BASELINE_NAME } from "./page.js";
import { forkPageServer, type PageServer } from "./page-servers.js";
import { figures, type Report, toMarkdown, writeJson } from "./report.js";
import { signIn } from "./sign-in.js";

const CLIENT_ID = "be0c4a1e-5e55-4d0e-8a9e-0000be0c4a1e";
const CLIENT_SECRET = "entrance-bench-client-secret-0123456789";
const USER = "megan@contoso.onmicrosoft.com";
const PATH = "/page";
const CONNECTIONS = 10;
const WARM_UP_SECONDS = 2;
const ROUNDS = 2;
/** Rounds of one server further apart than this mean something else was using the CPUs. */
const STEADY_SPREAD = 0.15;
const RESULTS = fileURLToPath(new URL("../results/signed-in-page.json", import.meta.url));

const seconds = readSeconds(process.env.BENCH_SECONDS);
const started = Date.now();
const loadBefore = loadavg()[0] ?? 0;
const workDir = await mkdtemp(join(tmpdir(), "entrance-bench-"));
let emulator: RunningEmulator | undefined;
const servers: PageServer[] = [];

try {
  emulator = await startEmulator();
  const withEntrance = await forkPageServer("entrance");
  servers.push(withEntrance);
  const bare = await forkPageServer("bare");
  servers.push(bare);

  emulator.control.putApp(defaults.contoso, {
    clientId: CLIENT_ID,
    displayName: "Entrance bench",
    secrets: [CLIENT_SECRET],
    redirectUris: [`${withEntrance.base}/auth/callback`, `${withEntrance.base}/`],
    multiTenant: true,
  });
  await withEntrance.configure({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authorityHost: emulator.urls.https,
    caCertPem: emulator.caCertPem,
    databasePath: join(workDir, "entrance.db"),
  });
  await bare.configure();

  const cookie = await signIn(emulator, withEntrance.base, USER, PATH);
  // Both servers get the same request, cookie included, and must give the same page back.
  const headers = { accept: "text/html", cookie };
  const page = await checkPages(withEntrance, bare, headers);

  const run = (server: PageServer, duration: number) =>
    load({
      url: `${server.base}${PATH}`,
      seconds: duration,
      connections: CONNECTIONS,
      headers,
      expectBody: page,
    });
  const rounds: Record<"entrance" | "bare", Run[]> = { entrance: [], bare: [] };
  for (const server of [withEntrance, bare]) {
    progress(`warm-up ${server.kind} (${WARM_UP_SECONDS} s)`);
    assertClean(`warm-up of ${server.kind}`, await run(server, WARM_UP_SECONDS));
  }
  // Alternating, so that drift in the machine's speed touches both sides alike.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of [withEntrance, bare]) {
      progress(`round ${round}/${ROUNDS}: ${server.kind} (${seconds} s)`);
      const result = await run(server, seconds);
      assertClean(`round ${round} of ${server.kind}`, result);
      rounds[server.kind].push(result);
    }
  }

  const entranceFigures = figures("@entrance/express + SQLite store", rounds.entrance);
  const bareFigures = figures("bare Express 5", rounds.bare);
  const report: Report = {
    benchmark: "signed-in page: @entrance/express vs bare Express",
    date: new Date().toISOString(),
    command: command(),
    environment: {
      node: process.version,
      cpus: availableParallelism(),
      "cpu model": cpus()[0]?.model.trim() ?? "unknown",
      platform: `${process.platform}/${process.arch}`,
      autocannon: autocannonPackage.version,
      "load average (1 min) before": Number(loadBefore.toFixed(2)),
    },
    settings: {
      path: PATH,
      connections: CONNECTIONS,
      secondsPerRound: seconds,
      warmUpSeconds: WARM_UP_SECONDS,
      roundsPerServer: ROUNDS,
      order: "warm-up entrance, warm-up bare, then entrance, bare, entrance, bare",
      statistic: "median over rounds of (answers received / measured seconds)",
      pageBytes: Buffer.byteLength(page),
    },
    entrance: entranceFigures,
    bare: bareFigures,
    ratio: entranceFigures.requestsPerSecond / bareFigures.requestsPerSecond,
    ratioByRound: rounds.entrance.map(
      (run, i) => run.requestsPerSecond / (rounds.bare[i]?.requestsPerSecond ?? Number.NaN),
    ),
  };
  await writeJson(RESULTS, report);
  process.stdout.write(toMarkdown(report));
  for (const server of [entranceFigures, bareFigures]) {
    if (server.spread > STEADY_SPREAD) {
      progress(
        `warning: the rounds of ${server.label} differ by ${Math.round(server.spread * 100)}%: ` +
          "something else was using the CPUs; run again on a quiet machine or with a larger BENCH_SECONDS",
      );
    }
  }
  progress(
    `wrote ${relative(process.cwd(), RESULTS)} (${Math.round((Date.now() - started) / 1000)} s)`,
  );
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await Promise.allSettled(servers.map((server) => server.close()));
  await emulator?.stop();
  await rm(workDir, { recursive: true, force: true });
}

/**
 * Fails loudly unless the Entrance server knows the signed-in user and still guards the page,
 * and the bare server answers the very same page; returns that page.
 */
async function checkPages(
  withEntrance: PageServer,
  bare: PageServer,
  headers: Readonly<Record<string, string>>,
): Promise<string> {
  const signedIn = await fetch(`${withEntrance.base}${PATH}`, { headers, redirect: "manual" });
  const page = await signedIn.text();
  if (signedIn.status !== 200 || !page.includes(BASELINE_NAME)) {
    throw new Error(
      `GET ${PATH} with the session answered ${signedIn.status}: ${page.slice(0, 300)}`,
    );
  }
  const anonymous = await fetch(`${withEntrance.base}${PATH}`, {
    headers: { accept: "text/html" },
    redirect: "manual",
  });
  if (anonymous.status !== 302) {
    throw new Error(
      `GET ${PATH} without a session answered ${anonymous.status}, not a redirect to sign in`,
    );
  }
  const baseline = await fetch(`${bare.base}${PATH}`, { headers });
  if (baseline.status !== 200 || (await baseline.text()) !== page) {
    throw new Error(`the bare server's ${PATH} is not the same page as Entrance's`);
  }
  return page;
}

function readSeconds(value: string | undefined): number {
  if (value === undefined || value === "") return 10;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 300) {
    throw new Error(
      `BENCH_SECONDS must be a whole number of seconds from 1 to 300, not "${value}"`,
    );
  }
  return parsed;
}

/** How to run this again with the same settings. */
function command(): string {
  const script = relative(process.cwd(), process.argv[1] ?? "bench/dist/signed-in-page.js");
  const run = process.env.npm_lifecycle_event === "bench" ? "npm run bench" : `node ${script}`;
  return `BENCH_SECONDS=${seconds} ${run}`;
}

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
