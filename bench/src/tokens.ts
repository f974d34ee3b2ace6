/**
 * getAccessToken on a cache hit with 1, 1,000 and 100,000 users in Entrance's SQLite store (and,
 * as the floor of any store, in the memory store holding the same 100,000 indexes), and
 * MSAL Node's own shared in-memory cache at 1, 1,000 and 5,000 accounts, in one run: medians, p90s
 * and ratios to the same tool with one user. Prints a markdown table, ends with the line
 * `ratio entrance 100k/1: x.xx`, and writes bench/results/tokens.json.
 *
 * Run with `npm run bench:tokens` from the repository root. BENCH_CALLS sets the calls per
 * Entrance case (default 2000); BENCH_LOOKUP_5K=1 also times MSAL's account lookup at 5,000
 * accounts (about two minutes more).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type AccountInfo, ConfidentialClientApplication, LogLevel } from "@azure/msal-node";
import msalPackage from "@azure/msal-node/package.json" with { type: "json" };
import {
  createEntrance,
  createMemoryStore,
  type Entrance,
  type EntranceStore,
  trustCertificateAuthority,
  type UserKey,
} from "@entrance/core";
import { defaults, type RunningEmulator, startEmulator } from "@entrance/emulator";
import { pickAccount, trustingNetworkClient } from "@entrance/emulator/testing";
import { openSqlStore } from "@entrance/store-sql";
import Database from "better-sqlite3";
import {
  accountCopier,
  mergeSerializedCaches,
  mulberry32,
  syntheticObjectIds,
} from "./msal-cache.js";
import { OFF_ROUND, type Summary, summarize, timeCalls } from "./timing.js";
import { alternate, countingTokens, diffCounts, signInThroughEntrance } from "./token-calls.js";
import { describeStore, fillTokenStore, openPartition } from "./token-store.js";
import {
  type CaseResult,
  type TokensReport,
  tokensMarkdown,
  writeReport,
} from "./tokens-report.js";

const SECRET = "entrance-bench-token-secret-0123456789abcdef";
/** The emulator's built-in web app is registered for this origin; nothing listens on it. */
const APP_BASE = "http://localhost:3000";
const REDIRECT_URI = `${APP_BASE}/auth/callback`;
const USER = "megan@contoso.onmicrosoft.com";
const REAL: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.admin };
const HOME_ACCOUNT_ID = `${REAL.objectId}.${REAL.tenantId}`;
const SCOPES = ["User.Read"];
const ENTRANCE_USERS = [1, 1_000, 100_000] as const;
const MSAL_ACCOUNTS = [1, 1_000, 5_000] as const;
const AIM = 1.2;
const ROUNDS = 8;
const SEED = 20_261_128;
/** MSAL at 5,000 accounts takes tens of ms a call: each of its rounds stops after this long. */
const MSAL_ROUND_MS = 800;
const RESULTS = fileURLToPath(new URL("../results/tokens.json", import.meta.url));

const callsPerCase = readCalls(process.env.BENCH_CALLS);
const lookupAt5k = process.env.BENCH_LOOKUP_5K === "1";
const perRound = Math.ceil(callsPerCase / ROUNDS);
const started = Date.now();
const loadBefore = loadavg()[0] ?? 0;
const workDir = await mkdtemp(join(tmpdir(), "entrance-bench-tokens-"));
let emulator: RunningEmulator | undefined;
const entrances: Entrance[] = [];

try {
  emulator = await startEmulator();
  const running = emulator;
  const networkCalls = () => JSON.stringify(running.control.counts());
  const coreOn = (store: EntranceStore) => {
    const entrance = createEntrance({
      tenantId: "organizations",
      clientId: defaults.webApp,
      clientSecret: defaults.webAppSecret,
      authorityHost: running.urls.https,
      baseUrl: APP_BASE,
      secrets: [SECRET],
      trust: trustCertificateAuthority(running.caCertPem),
      store,
      env: {},
    });
    entrances.push(entrance);
    return entrance;
  };

  // --- Entrance: one SQLite file per population, the same real user in each. -----------------
  const stores = await Promise.all(
    ENTRANCE_USERS.map(async (users) => {
      const filename = join(workDir, `entrance-${users}.db`);
      const raw = await openSqlStore(filename);
      const counted = countingTokens(raw);
      const entrance = coreOn(counted.store);
      return { users, filename, entrance, raw, store: counted.store, counts: counted.counts };
    }),
  );
  const [one] = stores;
  if (!one) throw new Error("no store");

  progress(`signing ${USER} in through Entrance (/auth/login, the emulator, /auth/callback)`);
  await signInThroughEntrance(running, one.entrance, APP_BASE, USER);
  const realBlob = await one.store.tokens.get(HOME_ACCOUNT_ID);
  const realIndex = await one.store.tokens.getIndex(HOME_ACCOUNT_ID);
  if (!realBlob || !realIndex) {
    throw new Error(`the sign-in stored no token partition ${HOME_ACCOUNT_ID} with its index`);
  }
  const realUser = await one.store.users.get(REAL.tenantId, REAL.objectId);
  if (!realUser) throw new Error("the sign-in stored no user row");
  const copyEntranceCache = accountCopier(
    openPartition([SECRET], HOME_ACCOUNT_ID, realBlob),
    REAL.objectId,
  );
  const largest = Math.max(...ENTRANCE_USERS, ...MSAL_ACCOUNTS);
  const objectIds = syntheticObjectIds(largest - 1, SEED, REAL.objectId);

  const storeFacts: Record<string, string | number>[] = [];
  let sqliteVersion = "";
  for (const { users, filename, store } of stores) {
    let fill = { seconds: 0, meanBlobBytes: realBlob.byteLength + realIndex.byteLength };
    if (users > 1) {
      progress(`filling ${filename} with ${plural(users, "user")}`);
      await store.users.upsert(realUser);
      const filled = fillTokenStore({
        filename,
        secrets: [SECRET],
        tenantId: REAL.tenantId,
        objectIds: objectIds.slice(0, users - 1),
        cacheFor: copyEntranceCache,
        copyPartitions: new Map([[HOME_ACCOUNT_ID, { data: realBlob, index: realIndex }]]),
      });
      progress(`  ${plural(filled.partitions, "partition")} in ${filled.seconds.toFixed(1)} s`);
      fill = filled;
    }
    const described = describeStore(filename);
    if (described.partitions !== users) {
      throw new Error(`${filename} holds ${described.partitions} partitions, not ${users}`);
    }
    sqliteVersion = described.sqlite;
    storeFacts.push({
      users,
      "token partitions": described.partitions,
      "file MB": Number(((await fileBytes(filename)) / 1e6).toFixed(1)),
      "partition blob bytes (mean)": fill.meanBlobBytes,
      "fill seconds": Number(fill.seconds.toFixed(1)),
    });
  }

  // The floor of any store: the memory store (no I/O, no SQL) holding the largest population's
  // indexes, the part a hit reads. What a random user still costs more there than the same user
  // is the CPU's caches (a different index to fetch, decrypt and parse on each call).
  const largestStore = stores[stores.length - 1];
  if (!largestStore) throw new Error("no store");
  progress(`copying the ${plural(largestStore.users, "user")}' indexes into a memory store`);
  const memory = countingTokens(createMemoryStore());
  const file = new Database(largestStore.filename, { readonly: true });
  try {
    const rows = file
      .prepare("select partition, access_index from entrance_token_partitions")
      .raw()
      .iterate() as IterableIterator<[string, Uint8Array]>;
    for (const [partition, index] of rows) {
      // The cache part is left empty: a hit never reads it, and the checks below fail on any read.
      await memory.store.tokens.put(partition, new Uint8Array(0), index);
    }
  } finally {
    file.close();
  }
  const memoryEntrance = coreOn(memory.store);

  // Each case makes the same call sequence every run: the real user, or seeded random users.
  const expected = (await one.entrance.getAccessToken(REAL, SCOPES)).token;
  const entranceCases = [
    ...stores.map(({ users, entrance }) => ({
      id: `entrance-same-user-${users}`,
      label: "Entrance getAccessToken, SQLite store, the same user each call",
      users,
      call: async () => {
        const { token } = await entrance.getAccessToken(REAL, SCOPES);
        if (token !== expected) throw new Error("getAccessToken answered another token");
      },
    })),
    ...[
      ...stores.filter(({ users }) => users > 1),
      { ...largestStore, entrance: memoryEntrance },
    ].map(({ users, entrance }, i, all) => {
      const floor = i === all.length - 1;
      // The memory store gets users of its own, so that neither case warms the other's.
      const random = mulberry32(SEED + users + (floor ? 3 : 0));
      const pool = [REAL.objectId, ...objectIds.slice(0, users - 1)];
      const picks = Array.from(
        { length: callsPerCase + 1_000 },
        () => pool[Math.floor(random() * pool.length)] as string,
      );
      let next = 0;
      return {
        id: floor ? `entrance-memory-random-user-${users}` : `entrance-random-user-${users}`,
        label: floor
          ? "Entrance getAccessToken, memory store with the same indexes (no I/O), a random user each call"
          : "Entrance getAccessToken, SQLite store, a random user each call",
        users,
        call: async () => {
          const objectId = picks[next++ % picks.length] as string;
          const { token } = await entrance.getAccessToken(
            { tenantId: REAL.tenantId, objectId },
            SCOPES,
          );
          if (!token) throw new Error("getAccessToken answered no token");
        },
      };
    }),
    {
      id: `entrance-memory-same-user-${largestStore.users}`,
      label:
        "Entrance getAccessToken, memory store with the same indexes (no I/O), the same user each call",
      users: largestStore.users,
      call: async () => {
        const { token } = await memoryEntrance.getAccessToken(REAL, SCOPES);
        if (token !== expected) throw new Error("getAccessToken answered another token");
      },
    },
  ];

  progress(`Entrance: warm-up, then ${ROUNDS} rounds of ${perRound} calls per case`);
  for (const entranceCase of entranceCases) {
    await timeCalls(entranceCase.call, { calls: 300, maxMs: 5_000 });
  }
  const entranceNetworkBefore = networkCalls();
  const counted = [...stores.map(({ counts }) => counts), memory.counts];
  const readsBefore = counted.map((counts) => ({ ...counts }));
  const { samples: entranceSamples, calls: entranceCalls } = await alternate(
    ROUNDS,
    entranceCases,
    () => ({
      calls: perRound,
      maxMs: 20_000,
    }),
  );
  const entranceNetworkDuring = diffCounts(entranceNetworkBefore, networkCalls());
  const partitionWrites = counted.reduce(
    (sum, counts, i) =>
      sum + counts.put + counts.delete - (readsBefore[i]?.put ?? 0) - (readsBefore[i]?.delete ?? 0),
    0,
  );
  const partitionReads = counted.reduce(
    (sum, counts, i) => sum + counts.getIndex - (readsBefore[i]?.getIndex ?? 0),
    0,
  );
  const wholeReads = counted.reduce(
    (sum, counts, i) => sum + counts.get - (readsBefore[i]?.get ?? 0),
    0,
  );
  if (entranceNetworkDuring !== "none") {
    throw new Error(`Entrance called the emulator during measurement: ${entranceNetworkDuring}`);
  }
  // A cache hit reads the user's access-token index alone, and writes nothing back.
  if (partitionWrites !== 0 || wholeReads !== 0 || partitionReads < entranceCalls) {
    throw new Error(
      `expected an index read, no whole-partition read and no write per call: ${partitionReads} ` +
        `index reads, ${wholeReads} whole reads and ${partitionWrites} writes for ${entranceCalls} calls`,
    );
  }

  // The only step whose work depends on the number of users: reading the partition from SQLite
  // (Kysely, better-sqlite3), timed alone on the same stores, uncounted.
  // Both reads: the index alone (what a hit reads) and the whole partition (what it read before).
  const readCases = entranceCases
    .filter(({ id }) => !id.startsWith("entrance-memory-"))
    .flatMap(({ id, users }) => {
      const store = stores.find((candidate) => candidate.users === users)?.raw;
      if (!store) throw new Error(`no store of ${users} users`);
      const same = id.startsWith("entrance-same-user");
      const who = same ? "the same user each call" : "a random user each call";
      const reading = (
        prefix: string,
        label: string,
        salt: number,
        read: (partition: string) => Promise<unknown>,
      ) => {
        // Users of their own, not those the getAccessToken case just read: its sequence would find
        // their pages in SQLite's page cache and time a warm read as a random one.
        const random = mulberry32(SEED + users + salt);
        const pool = [REAL.objectId, ...objectIds.slice(0, users - 1)];
        return {
          id: id.replace("entrance-", prefix),
          label: `${label}, ${who}`,
          users,
          call: async () => {
            const objectId = same
              ? REAL.objectId
              : (pool[Math.floor(random() * pool.length)] as string);
            if (!(await read(`${objectId}.${REAL.tenantId}`))) {
              throw new Error(`no partition for ${objectId}`);
            }
          },
        };
      };
      return [
        reading(
          "store-index-read-",
          "its SQLite read of the index alone (store.tokens.getIndex)",
          1,
          (p) => store.tokens.getIndex(p),
        ),
        reading(
          "store-read-",
          "its SQLite read of the whole partition (store.tokens.get)",
          2,
          (p) => store.tokens.get(p),
        ),
      ];
    });
  progress(
    `SQLite store: the partition read alone, ${ROUNDS} rounds of ${perRound} calls per case`,
  );
  for (const readCase of readCases) await timeCalls(readCase.call, { calls: 300, maxMs: 2_000 });
  const { samples: readSamples } = await alternate(ROUNDS, readCases, () => ({
    calls: perRound,
    maxMs: 10_000,
  }));

  // --- MSAL Node: one shared in-memory cache per population. -------------------------------
  progress(`signing ${USER} in through MSAL Node (auth code + PKCE)`);
  const network = trustingNetworkClient(running.caCertPem);
  const msalApp = () =>
    new ConfidentialClientApplication({
      auth: {
        clientId: defaults.webApp,
        clientSecret: defaults.webAppSecret,
        authority: running.authority("organizations"),
        knownAuthorities: [new URL(running.urls.https).host],
      },
      system: {
        networkClient: network,
        // As Entrance configures it: errors only, so that both pay the same for logging.
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback() {} },
      },
    });
  const signedIn = msalApp();
  const { account, accessToken } = await signInThroughMsal(running, signedIn);
  const realMsalCache = signedIn.getTokenCache().serialize();
  const copyMsalCache = accountCopier(realMsalCache, REAL.objectId);
  const apps = new Map<number, ConfidentialClientApplication>();
  for (const accounts of MSAL_ACCOUNTS) {
    progress(`MSAL: a cache of ${plural(accounts, "account")}`);
    const app = msalApp();
    app
      .getTokenCache()
      .deserialize(
        accounts === 1
          ? realMsalCache
          : mergeSerializedCaches([
              realMsalCache,
              ...objectIds.slice(0, accounts - 1).map(copyMsalCache),
            ]),
      );
    apps.set(accounts, app);
    // The first silent call resolves the authority (discovery): not measured.
    const first = await app.acquireTokenSilent({ account, scopes: SCOPES });
    if (first.accessToken !== accessToken) throw new Error("MSAL's cache answered another token");
    if (accounts > 1) await checkSyntheticAccount(app, account, objectIds[accounts - 2] as string);
  }
  const msalCases = MSAL_ACCOUNTS.map((accounts) => {
    const app = apps.get(accounts) as ConfidentialClientApplication;
    return {
      id: `msal-silent-${accounts}`,
      label: "MSAL Node acquireTokenSilent, one shared cache",
      users: accounts,
      call: async () => {
        const result = await app.acquireTokenSilent({ account, scopes: SCOPES });
        if (result.accessToken !== accessToken) throw new Error("MSAL answered another token");
      },
    };
  });
  progress(`MSAL: ${ROUNDS} rounds, each up to ${perRound} calls or ${MSAL_ROUND_MS} ms per case`);
  for (const msalCase of msalCases) {
    await timeCalls(msalCase.call, { calls: 50, maxMs: 500, minCalls: 2 });
  }
  const msalNetworkBefore = networkCalls();
  const { samples: msalSamples } = await alternate(ROUNDS, msalCases, () => ({
    calls: perRound,
    maxMs: MSAL_ROUND_MS,
    minCalls: 5,
  }));

  // MSAL's account lookup, which a shared-cache app calls to find the AccountInfo first.
  const lookupCases = MSAL_ACCOUNTS.filter((accounts) => accounts <= 1_000 || lookupAt5k).map(
    (accounts) => ({
      id: `msal-lookup-${accounts}`,
      label: "MSAL Node getAccountByHomeId, one shared cache",
      users: accounts,
      call: async () => {
        const app = apps.get(accounts) as ConfidentialClientApplication;
        const found = await app.getTokenCache().getAccountByHomeId(HOME_ACCOUNT_ID);
        if (!found) throw new Error("MSAL did not find the account");
      },
    }),
  );
  const lookupSamples = new Map<string, number[][]>();
  for (const lookup of lookupCases) {
    progress(`MSAL: getAccountByHomeId at ${plural(lookup.users, "account")}`);
    // One call at 1,000 accounts already takes seconds: the budget stops after the first.
    lookupSamples.set(lookup.id, [await timeCalls(lookup.call, { calls: 200, maxMs: 1_000 })]);
  }
  const msalNetworkDuring = diffCounts(msalNetworkBefore, networkCalls());
  if (msalNetworkDuring !== "none") {
    throw new Error(`MSAL called the emulator during measurement: ${msalNetworkDuring}`);
  }

  // --- Report. ---------------------------------------------------------------------------------
  const results: CaseResult[] = [];
  const addGroup = (
    cases: readonly { id: string; label: string; users: number }[],
    samples: ReadonlyMap<string, number[][]>,
    baselineId: string,
  ) => {
    const baseline = summarize(samples.get(baselineId) ?? []);
    for (const { id, label, users } of cases) {
      const summary: Summary = summarize(samples.get(id) ?? []);
      results.push({
        id,
        label,
        population: users,
        summary,
        ratio: summary.medianUs / baseline.medianUs,
      });
    }
  };
  addGroup(entranceCases, entranceSamples, "entrance-same-user-1");
  addGroup(
    readCases.filter(({ id }) => id.startsWith("store-index-read-")),
    readSamples,
    "store-index-read-same-user-1",
  );
  addGroup(
    readCases.filter(({ id }) => id.startsWith("store-read-")),
    readSamples,
    "store-read-same-user-1",
  );
  addGroup(msalCases, msalSamples, "msal-silent-1");
  addGroup(lookupCases, lookupSamples, "msal-lookup-1");
  const median = (id: string) => results.find((result) => result.id === id)?.summary.medianUs;
  const of = (a: string, b: string) => (median(a) ?? Number.NaN) / (median(b) ?? Number.NaN);
  const ratioEntrance100kTo1 = of("entrance-same-user-100000", "entrance-same-user-1");
  const byRound = (id: string) =>
    results.find((result) => result.id === id)?.summary.roundMediansUs ?? [];
  const baselineRounds = byRound("entrance-same-user-1");
  const ratioEntrance100kTo1ByRound = byRound("entrance-same-user-100000").map(
    (value, i) => value / (baselineRounds[i] ?? Number.NaN),
  );
  const report: TokensReport = {
    benchmark: "getAccessToken on a cache hit: Entrance's SQLite store vs MSAL Node's shared cache",
    date: new Date().toISOString(),
    command: command(),
    environment: {
      node: process.version,
      cpus: availableParallelism(),
      "cpu model": cpus()[0]?.model.trim() ?? "unknown",
      platform: `${process.platform}/${process.arch}`,
      "@azure/msal-node": msalPackage.version,
      sqlite: sqliteVersion,
      "load average (1 min) before": Number(loadBefore.toFixed(2)),
      "load average (1 min) after": Number((loadavg()[0] ?? 0).toFixed(2)),
    },
    settings: {
      scopes: SCOPES,
      rounds: ROUNDS,
      entranceCallsPerCase: callsPerCase,
      msalRound: `up to ${perRound} calls or ${MSAL_ROUND_MS} ms, at least 5 calls`,
      order:
        "a few warm-up calls per case, one unrecorded round, then the recorded rounds; each round runs every case once, starting one case later than the round before",
      timed: "each call awaited alone (sequential), performance.now() around the call only",
      syntheticUsers:
        "copies of the real user's MSAL cache with another object id (keys, client_info, token payloads), encrypted with Entrance's PartitionCipher",
      entranceConfig:
        "tenantId organizations, the emulator's built-in web app, one ENTRANCE_SECRET",
      msalConfig:
        "authority <emulator>/organizations, knownAuthorities, the emulator's CA through a custom networkClient, log level Error",
    },
    stores: storeFacts,
    checks: {
      "emulator calls while measuring": "0 (Entrance), 0 (MSAL)",
      "index reads per Entrance call": partitionReads / entranceCalls,
      "whole-partition reads while measuring": wholeReads,
      "partition writes while measuring": partitionWrites,
    },
    cases: results,
    ratios: {
      "entrance random user 100k/1": of("entrance-random-user-100000", "entrance-same-user-1"),
      "entrance memory store random/same user 100k": of(
        "entrance-memory-random-user-100000",
        "entrance-memory-same-user-100000",
      ),
      "entrance random user 100k/1k": of(
        "entrance-random-user-100000",
        "entrance-random-user-1000",
      ),
      "store index read random user 100k/1": of(
        "store-index-read-random-user-100000",
        "store-index-read-same-user-1",
      ),
      "store read random user 100k/1": of(
        "store-read-random-user-100000",
        "store-read-same-user-1",
      ),
      "msal 5k/1": of("msal-silent-5000", "msal-silent-1"),
      "entrance 1 user/msal 1 account": of("entrance-same-user-1", "msal-silent-1"),
    },
    ratioEntrance100kTo1,
    ratioEntrance100kTo1ByRound,
    ratioRandom100kTo1: of("entrance-random-user-100000", "entrance-same-user-1"),
    aim: AIM,
    seconds: (Date.now() - started) / 1000,
  };
  await writeReport(RESULTS, report);
  process.stdout.write(tokensMarkdown(report));
  // One disturbed round barely moves a median over all of them; several mean a busy machine.
  const unsteady = results.filter(
    (result) => result.id.startsWith("entrance-") && result.summary.roundsOff > ROUNDS / 4,
  );
  if (unsteady.length) {
    progress(
      `warning: in ${unsteady.map((result) => result.id).join(", ")}, more than a quarter of the ` +
        `rounds are over ${OFF_ROUND * 100}% away from the median: something else was using the ` +
        "CPUs, and the ratios of this run are not worth much; run it again on a quiet machine",
    );
  }
  progress(`wrote ${relative(process.cwd(), RESULTS)} (${Math.round(report.seconds)} s)`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await Promise.allSettled(entrances.map((entrance) => entrance.close()));
  await emulator?.stop();
  await rm(workDir, { recursive: true, force: true });
}

/** MSAL builds the authorize URL, the emulator's page picks the user, MSAL redeems the code. */
async function signInThroughMsal(
  emulator: RunningEmulator,
  app: ConfidentialClientApplication,
): Promise<{ account: AccountInfo; accessToken: string }> {
  const verifier = randomBytes(32).toString("base64url");
  const url = await app.getAuthCodeUrl({
    scopes: SCOPES,
    redirectUri: REDIRECT_URI,
    codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
    codeChallengeMethod: "S256",
  });
  const back = new URL((await pickAccount(emulator, url, { user: USER })).location);
  const code = back.searchParams.get("code");
  if (!code) throw new Error(`the emulator sent no code back: ${back.href}`);
  const result = await app.acquireTokenByCode({
    code,
    redirectUri: REDIRECT_URI,
    scopes: SCOPES,
    codeVerifier: verifier,
  });
  if (!result.account || result.account.homeAccountId !== HOME_ACCOUNT_ID) {
    throw new Error(`MSAL signed in ${result.account?.homeAccountId}, not ${HOME_ACCOUNT_ID}`);
  }
  return { account: result.account, accessToken: result.accessToken };
}

/** A synthetic account answers from the cache too, with its own token: the copies are sound. */
async function checkSyntheticAccount(
  app: ConfidentialClientApplication,
  real: AccountInfo,
  objectId: string,
): Promise<void> {
  const result = await app.acquireTokenSilent({
    account: { ...real, homeAccountId: `${objectId}.${real.tenantId}`, localAccountId: objectId },
    scopes: SCOPES,
  });
  const payload = JSON.parse(
    Buffer.from(result.accessToken.split(".")[1] ?? "", "base64url").toString("utf8"),
  ) as { oid?: string };
  if (payload.oid !== objectId) throw new Error(`a synthetic account got ${payload.oid}'s token`);
}

async function fileBytes(filename: string): Promise<number> {
  const sizes = await Promise.all(
    [filename, `${filename}-wal`].map((path) =>
      stat(path).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

function readCalls(value: string | undefined): number {
  if (value === undefined || value === "") return 2_000;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < ROUNDS || parsed > 100_000) {
    throw new Error(`BENCH_CALLS must be a whole number from ${ROUNDS} to 100000, not "${value}"`);
  }
  return parsed;
}

/** How to run this again with the same settings. */
function command(): string {
  const script = relative(process.cwd(), process.argv[1] ?? "bench/dist/tokens.js");
  const run =
    process.env.npm_lifecycle_event === "bench:tokens" ? "npm run bench:tokens" : `node ${script}`;
  const settings = [`BENCH_CALLS=${callsPerCase}`, ...(lookupAt5k ? ["BENCH_LOOKUP_5K=1"] : [])];
  return `${settings.join(" ")} ${run}`;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
