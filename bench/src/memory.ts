/**
 * Memory and size: each server's memory (RSS, and heap after a full collection) idle and after
 * BENCH_SESSIONS signed-in sessions have each made one request, for Entrance, the MSAL Node
 * sample pattern (express-session's MemoryStore) and express-openid-connect (cookie sessions),
 * with bare Express as the reference; and the bytes of Entrance's SQLite rows for a normal user
 * and for the 251-group overage user. Every session is a real sign-in through the emulator.
 * Run with `npm run bench:memory` from the repository root; see bench/README.md.
 */
import { cpus, loadavg } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startFleet } from "./fleet/fleet.js";
import { LOAD_CPU, progress, readInteger, runHarness, SERVER_CPU } from "./fleet/harness.js";
import { BARE, ENTRANCE_CACHED, MSAL_SESSION, OPENID_CONNECT } from "./fleet/variants.js";
import { measureServer, type ServerMemory } from "./memory/measure-server.js";
import { SqliteSizes } from "./memory/sqlite-sizes.js";
import { type MemoryReport, memoryMarkdown } from "./report/memory-report.js";
import { writeText } from "./report/page-report.js";
import { GROUP_CHECK_PATH } from "./servers/protocol.js";

const sessions = readInteger("BENCH_SESSIONS", 10_000, 10, 100_000);
const concurrency = readInteger("BENCH_SIGN_IN_CONCURRENCY", 8, 1, 64);
const NORMAL = "megan@contoso.onmicrosoft.com";
const OVERAGE = "adele@contoso.onmicrosoft.com";
/** The users take turns: two ordinary members, the overage user and Megan (an admin). */
const USERS = [NORMAL, OVERAGE, "alex@contoso.onmicrosoft.com", "lee@contoso.onmicrosoft.com"];
const VARIANTS = [BARE, ENTRANCE_CACHED, MSAL_SESSION, OPENID_CONNECT];
/** Sessions signed in before the second snapshot, which is the base of the per-session slope. */
const WARM_SESSIONS = 500;
const started = Date.now();
const loadBefore = loadavg();

await runHarness("the memory benchmark", 600 + sessions * 0.12, async ({ emulator, workDir }) => {
  const overage = emulator.directory.user(OVERAGE);
  const allStaff = overage && emulator.directory.groupsOf(overage)[0];
  if (!allStaff) throw new Error(`${OVERAGE} is in no group of the emulator's directory`);
  const fleet = await startFleet(emulator, VARIANTS, {
    cpu: SERVER_CPU,
    workDir,
    nodeFlags: ["--expose-gc"],
    // Thousands of sign-ins from 127.0.0.1: above Entrance's per-address limit (60 per 10 min).
    signInsPerAddress: 100_000,
    groupCheck: { group: allStaff.id, tenant: overage.tenant.id },
  });
  const warmSessions = Math.min(WARM_SESSIONS, Math.floor(sessions / 2));
  const servers: ServerMemory[] = [];
  for (const started of fleet) {
    servers.push(
      await measureServer(emulator, started, {
        users: USERS,
        sessions,
        warmSessions,
        concurrency,
        progress,
      }),
    );
  }
  const entranceCookies = servers.find((s) => s.id === ENTRANCE_CACHED.id)?.firstCookie;

  const entrance = fleet.find(({ variant }) => variant === ENTRANCE_CACHED);
  if (!entrance) throw new Error("no Entrance server");
  const sizes = new SqliteSizes(join(workDir, `${ENTRANCE_CACHED.id}.db`));
  try {
    const rowsOf = (upn: string) => {
      const user = emulator.directory.user(upn);
      if (!user) throw new Error(`no user ${upn}`);
      return sizes.userRows(user.tenant.id, user.value.id);
    };
    const rows = {
      [`${NORMAL} (normal)`]: rowsOf(NORMAL),
      [`${OVERAGE} (251 groups, overage)`]: rowsOf(OVERAGE),
    };
    // Adele's groups are not in her token (overage): a group check reads them from Graph and
    // stores them in her user row.
    const check = await fetch(`${entrance.server.base}${GROUP_CHECK_PATH}`, {
      headers: { cookie: entranceCookies?.get(OVERAGE) ?? "", accept: "text/html" },
      redirect: "manual",
    });
    if (check.status !== 200) {
      throw new Error(
        `the group check for ${OVERAGE} answered ${check.status}: ${await check.text()}`,
      );
    }
    const report: MemoryReport = {
      benchmark: `Memory and size: ${sessions.toLocaleString("en-US")} signed-in sessions per server`,
      date: new Date().toISOString(),
      command: command(),
      environment: {
        node: process.version,
        cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown"}`,
        "load average before (1/5/15 min)": loadBefore.map((l) => l.toFixed(2)).join(" / "),
        servers: `one Node process each (--expose-gc), pinned to CPU ${SERVER_CPU}; harness and emulator on CPU ${LOAD_CPU}`,
        "took (s)": Math.round((Date.now() - started) / 1000),
      },
      settings: {
        sessions,
        "sessions before the second snapshot": warmSessions,
        "sign-ins at a time": concurrency,
        users: `${USERS.join(", ")}, taking turns`,
        "how each session is made":
          "a real sign-in through the app's own flow and the emulator's pages, ending with the session's first request for the page",
        "sign-in seconds per server": servers
          .filter((s) => s.signInSeconds > 0)
          .map((s) => `${s.id} ${Math.round(s.signInSeconds)}`)
          .join(", "),
        "Entrance's settings": `defaults (session.cacheSeconds 5), but pendingSignIns.perAddress 100,000, contoso's groups trusted and Graph at the emulator (for the group check)`,
      },
      servers,
      rows,
      overageUserRowResolved: rowsOf(OVERAGE).userRow,
      tables: sizes.tables(),
    };
    const markdown = memoryMarkdown(report);
    const stamp = new Date().toISOString().slice(0, 16).replace(":", "");
    const file = fileURLToPath(new URL(`../results/memory-${stamp}.md`, import.meta.url));
    await writeText(file, markdown);
    await writeText(file.replace(/\.md$/, ".json"), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(markdown);
    progress(
      `wrote ${relative(process.cwd(), file)} and its .json (${Math.round((Date.now() - started) / 1000)} s)`,
    );
  } finally {
    sizes.close();
  }
});

function command(): string {
  const run =
    process.env.npm_lifecycle_event === "bench:memory"
      ? "npm run bench:memory"
      : `node ${relative(process.cwd(), process.argv[1] ?? "bench/dist/memory.js")}`;
  return `BENCH_SESSIONS=${sessions} ${run}`;
}
