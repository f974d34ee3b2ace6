/**
 * getAccessToken on a cache hit with 100,000 users (BENCH_USERS) in each store, SQLite,
 * PostgreSQL and Redis, in one run: a random user each call (and, for reference, the same user
 * each call, and the store's read alone), in alternating rounds; medians with their spread over
 * the rounds, and ratios to SQLite. Prints a markdown table, and writes the figures (each
 * round's median included) to bench/results/tokens-stores.json.
 *
 * Run with `npm run bench:tokens:stores` from the repository root; see bench/README.md for the
 * settings. PostgreSQL and Redis get a schema and a key prefix of this run's own, removed at the
 * end; one that does not answer stops the run, unless BENCH_ONLY leaves it out.
 */
import { mkdtemp } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createEntrance,
  type Entrance,
  type EntranceStore,
  trustCertificateAuthority,
  type UserKey,
} from "@entrance/core";
import { defaults, startEmulator } from "@entrance/emulator";
import { readInteger } from "./fleet/harness.js";
import { accountCopier, mulberry32, syntheticObjectIds } from "./msal-cache.js";
import { openBenchStore } from "./servers/open-store.js";
import type { StoreSetup } from "./servers/protocol.js";
import { prepareBackends, type StoreKind } from "./stores/backends.js";
import { cleanUpOnExit } from "./stores/clean-up.js";
import { fillStore } from "./stores/fill.js";
import { summarize, timeCalls } from "./timing.js";
import {
  alternate,
  countingTokens,
  diffCounts,
  signInThroughEntrance,
  type TokenCounts,
} from "./token-calls.js";
import { openPartition } from "./token-store.js";
import { writeReport } from "./tokens-report.js";
import { type StoreCase, storesMarkdown, type TokensStoresReport } from "./tokens-stores-report.js";

const SECRET = "entrance-bench-token-secret-0123456789abcdef";
/** The emulator's built-in web app is registered for this origin; nothing listens on it. */
const APP_BASE = "http://localhost:3000";
const USER = "megan@contoso.onmicrosoft.com";
const REAL: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.admin };
const HOME_ACCOUNT_ID = `${REAL.objectId}.${REAL.tenantId}`;
const SCOPES = ["User.Read"];
const ROUNDS = 8;
const SEED = 20_261_128;
const RESULTS = fileURLToPath(new URL("../results/tokens-stores.json", import.meta.url));
/** SQLite, the baseline, always runs; BENCH_ONLY picks among the others. */
const OTHERS = ["postgres", "redis"] as const satisfies readonly StoreKind[];

const users = readInteger("BENCH_USERS", 100_000, 2, 1_000_000);
const callsPerCase = readInteger("BENCH_CALLS", 2_000, ROUNDS, 100_000);
const only = (process.env.BENCH_ONLY ?? "").split(",").filter((id) => id !== "");
for (const id of only) {
  if (!(OTHERS as readonly string[]).includes(id)) {
    throw new Error(`BENCH_ONLY: no store ${id} (${OTHERS.join(", ")}; SQLite always runs)`);
  }
}
const kinds: StoreKind[] = [
  "sqlite",
  ...OTHERS.filter((kind) => only.length === 0 || only.includes(kind)),
];
const perRound = Math.ceil(callsPerCase / ROUNDS);
const started = Date.now();
const loadBefore = loadavg()[0] ?? 0;
const workDir = await mkdtemp(join(tmpdir(), "entrance-bench-tokens-stores-"));
const end = cleanUpOnExit(workDir);
const leaveOut = (kind: StoreKind) => {
  const rest = kinds.filter((k) => k !== kind && k !== "sqlite");
  return rest.length > 0 ? `BENCH_ONLY=${rest.join(",")}` : "BENCH_ONLY=<another store>";
};

try {
  const backends = await prepareBackends(new Set(kinds), end.remove, leaveOut);
  const running = await startEmulator();
  end.close(() => running.stop());
  const networkCalls = () => JSON.stringify(running.control.counts());

  // --- One Entrance per store, as an app would configure it. ---------------------------------
  const stores: {
    kind: StoreKind;
    filename: string;
    entrance: Entrance;
    raw: EntranceStore;
    counts: TokenCounts;
  }[] = [];
  for (const kind of kinds) {
    const setup: StoreSetup =
      kind === "postgres" && backends.postgres
        ? { kind, ...backends.postgres }
        : kind === "redis" && backends.redis
          ? { kind, ...backends.redis }
          : { kind: "sqlite" };
    const filename = join(workDir, `${kind}.db`);
    const raw = await openBenchStore(setup, filename);
    const slot = end.close(() => raw.close());
    const counted = countingTokens(raw);
    const entrance = createEntrance({
      tenantId: "organizations",
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
      authorityHost: running.urls.https,
      baseUrl: APP_BASE,
      secrets: [SECRET],
      trust: trustCertificateAuthority(running.caCertPem),
      store: counted.store,
      env: {},
    });
    // Closing Entrance closes its store.
    end.replace(slot, () => entrance.close());
    stores.push({ kind, filename, entrance, raw, counts: counted.counts });
  }
  const [first] = stores;
  if (!first) throw new Error("no store");

  progress(`signing ${USER} in through Entrance (/auth/login, the emulator, /auth/callback)`);
  await signInThroughEntrance(running, first.entrance, APP_BASE, USER);
  const realBlob = await first.raw.tokens.get(HOME_ACCOUNT_ID);
  const realIndex = await first.raw.tokens.getIndex(HOME_ACCOUNT_ID);
  if (!realBlob || !realIndex) {
    throw new Error(`the sign-in stored no token partition ${HOME_ACCOUNT_ID} with its index`);
  }
  const realUser = await first.raw.users.get(REAL.tenantId, REAL.objectId);
  if (!realUser) throw new Error("the sign-in stored no user row");
  const cacheFor = accountCopier(openPartition([SECRET], HOME_ACCOUNT_ID, realBlob), REAL.objectId);
  const objectIds = syntheticObjectIds(users - 1, SEED, REAL.objectId);
  const synthetic = { secrets: [SECRET], tenantId: REAL.tenantId, objectIds, cacheFor };

  // --- The same users in every store: the real one's row as Entrance wrote it, and copies. ---
  const storeFacts: Record<string, string | number>[] = [];
  for (const store of stores) {
    const fillStarted = performance.now();
    progress(`filling the ${store.kind} store with ${users.toLocaleString("en-US")} users`);
    if (store !== first) {
      await store.raw.tokens.put(HOME_ACCOUNT_ID, realBlob, realIndex);
      await store.raw.users.upsert(realUser);
    }
    const partitions = await fillStore({
      kind: store.kind,
      store: store.raw,
      filename: store.filename,
      backends,
      partitions: synthetic,
      excludeHint: leaveOut(store.kind),
    });
    if (partitions !== users) {
      throw new Error(`the ${store.kind} store holds ${partitions} partitions, not ${users}`);
    }
    const seconds = (performance.now() - fillStarted) / 1000;
    progress(`  ${partitions.toLocaleString("en-US")} partitions in ${seconds.toFixed(1)} s`);
    storeFacts.push({
      store: store.kind,
      "token partitions": partitions,
      "fill seconds": Number(seconds.toFixed(1)),
    });
  }

  // Every store gets the same call sequence: the real user, or the same seeded random users.
  const expected = (await first.entrance.getAccessToken(REAL, SCOPES)).token;
  const pool = [REAL.objectId, ...objectIds];
  const picks = (salt: number) => {
    const random = mulberry32(SEED + salt);
    return Array.from(
      { length: callsPerCase + 2_000 },
      () => pool[Math.floor(random() * pool.length)] as string,
    );
  };
  const randomUsers = picks(1);
  const readUsers = picks(2);
  // Checked after each case's calls, so that the check (a JSON.parse) is not in the timed span.
  const answers: [store: StoreKind, objectId: string, token: string][] = [];
  let randomAnswers = 0;
  const checkAnswers = () => {
    for (const [kind, objectId, token] of answers) {
      if (!tokenFor(token, objectId)) throw new Error(`${kind}: ${objectId} got another's token`);
    }
    randomAnswers += answers.length;
    answers.length = 0;
  };
  const entranceCases: StoreCase[] = stores.flatMap(({ kind, entrance }) => {
    let next = 0;
    return [
      {
        id: `${kind}-random-user`,
        store: kind,
        label: "Entrance getAccessToken, a random user each call",
        call: async () => {
          const objectId = randomUsers[next++ % randomUsers.length] as string;
          const { token } = await entrance.getAccessToken(
            { tenantId: REAL.tenantId, objectId },
            SCOPES,
          );
          answers.push([kind, objectId, token]);
        },
      },
      {
        id: `${kind}-same-user`,
        store: kind,
        label: "Entrance getAccessToken, the same user each call",
        call: async () => {
          const { token } = await entrance.getAccessToken(REAL, SCOPES);
          if (token !== expected) throw new Error(`${kind}: getAccessToken answered another token`);
        },
      },
    ];
  });
  progress(`Entrance: warm-up, then ${ROUNDS} rounds of ${perRound} calls per case`);
  for (const timed of entranceCases) {
    await timeCalls(timed.call, { calls: 300, maxMs: 5_000 });
    checkAnswers();
  }
  const networkBefore = networkCalls();
  const before = stores.map(({ counts }) => ({ ...counts }));
  const { samples: entranceSamples, calls: entranceCalls } = await alternate(
    ROUNDS,
    entranceCases,
    () => ({ calls: perRound, maxMs: 20_000 }),
    checkAnswers,
  );
  const networkDuring = diffCounts(networkBefore, networkCalls());
  checkAnswers();
  if (networkDuring !== "none") {
    throw new Error(`Entrance called the emulator during measurement: ${networkDuring}`);
  }
  const delta = (key: "get" | "getIndex" | "put" | "delete") =>
    stores.reduce((sum, { counts }, i) => sum + counts[key] - (before[i]?.[key] ?? 0), 0);
  const partitionWrites = delta("put") + delta("delete");
  const partitionReads = delta("getIndex");
  const wholeReads = delta("get");
  // A cache hit reads the user's access-token index alone, and writes nothing back.
  if (partitionWrites !== 0 || wholeReads !== 0 || partitionReads < entranceCalls) {
    throw new Error(
      `expected an index read, no whole-partition read and no write per call: ${partitionReads} ` +
        `index reads, ${wholeReads} whole reads and ${partitionWrites} writes for ${entranceCalls} calls`,
    );
  }

  // The store's part of a call: its read alone, on the same stores, uncounted; the index (what a
  // hit reads) and the whole partition (what it read before the index had a part of its own).
  const readCases: StoreCase[] = stores.flatMap(({ kind, raw }) => {
    const reading = (
      id: string,
      label: string,
      read: (partition: string) => Promise<unknown>,
    ): StoreCase => {
      let next = 0;
      return {
        id,
        store: kind,
        label,
        call: async () => {
          const objectId = readUsers[next++ % readUsers.length] as string;
          if (!(await read(`${objectId}.${REAL.tenantId}`))) {
            throw new Error(`${kind}: no partition for ${objectId}`);
          }
        },
      };
    };
    return [
      reading(
        `${kind}-index-read-random-user`,
        "its read of the index alone (store.tokens.getIndex), a random user each call",
        (p) => raw.tokens.getIndex(p),
      ),
      reading(
        `${kind}-read-random-user`,
        "its read of the whole partition (store.tokens.get), a random user each call",
        (p) => raw.tokens.get(p),
      ),
    ];
  });
  progress(`the stores' reads alone: ${ROUNDS} rounds of ${perRound} calls per case`);
  for (const timed of readCases) await timeCalls(timed.call, { calls: 300, maxMs: 2_000 });
  const { samples: readSamples } = await alternate(ROUNDS, readCases, () => ({
    calls: perRound,
    maxMs: 10_000,
  }));

  // --- Report. ---------------------------------------------------------------------------------
  const samples = new Map([...entranceSamples, ...readSamples]);
  const summaries = new Map([...samples].map(([id, rounds]) => [id, summarize(rounds)] as const));
  const cases = [...entranceCases, ...readCases].map(({ id, store, label }) => {
    const summary = summaries.get(id);
    const sqlite = summaries.get(id.replace(/^[a-z]+-/, "sqlite-"));
    if (!summary || !sqlite) throw new Error(`no figures for ${id}`);
    return { id, store, label, summary, ratioToSqlite: summary.medianUs / sqlite.medianUs };
  });
  const report: TokensStoresReport = {
    benchmark: `getAccessToken on a cache hit with ${users.toLocaleString("en-US")} users, by store`,
    date: new Date().toISOString(),
    command: command(),
    environment: {
      node: process.version,
      cpus: availableParallelism(),
      "cpu model": cpus()[0]?.model.trim() ?? "unknown",
      ...backends.versions,
      "load average (1 min) before": Number(loadBefore.toFixed(2)),
      "load average (1 min) after": Number((loadavg()[0] ?? 0).toFixed(2)),
    },
    settings: {
      users,
      scopes: SCOPES,
      rounds: ROUNDS,
      callsPerCase,
      order:
        "a few warm-up calls per case, one unrecorded round, then the recorded rounds; each round runs every case once, starting one case later than the round before",
      timed: "each call awaited alone (sequential), performance.now() around the call only",
      stores:
        "SQLite: a file in the OS temp folder; PostgreSQL: a schema of this run's own; Redis: a key prefix of this run's own, with the directory (users) in SQLite through composeStores",
    },
    stores: storeFacts,
    checks: {
      "emulator calls while measuring": 0,
      "index reads per Entrance call": Number((partitionReads / entranceCalls).toFixed(2)),
      "whole-partition reads while measuring": wholeReads,
      "partition writes while measuring": partitionWrites,
      "random-user answers checked (each its user's token)": randomAnswers,
    },
    cases,
    seconds: (Date.now() - started) / 1000,
  };
  await writeReport(RESULTS, report);
  process.stdout.write(storesMarkdown(report));
  progress(`wrote ${relative(process.cwd(), RESULTS)} (${Math.round(report.seconds)} s)`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  end.dispose();
  await end.cleanUp();
}

/** Whether `token` is an access token for `objectId` (its payload's `oid`; no signature check). */
function tokenFor(token: string, objectId: string): boolean {
  const payload = JSON.parse(
    Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"),
  ) as { oid?: string };
  return payload.oid === objectId;
}

/** How to run this again with the same settings. */
function command(): string {
  const script = relative(process.cwd(), process.argv[1] ?? "bench/dist/tokens-stores.js");
  const run =
    process.env.npm_lifecycle_event === "bench:tokens:stores"
      ? "npm run bench:tokens:stores"
      : `node ${script}`;
  const selection = only.length > 0 ? `BENCH_ONLY=${only.join(",")} ` : "";
  return `${selection}BENCH_USERS=${users} BENCH_CALLS=${callsPerCase} ${run}`;
}

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
