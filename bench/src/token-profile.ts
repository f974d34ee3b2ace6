/**
 * A token cache hit in a loop, for a CPU profile: one SQLite store of BENCH_USERS users (100,000
 * by default), a random user each call, BENCH_CALLS calls (50,000 by default), nothing else in the
 * process. Prints the median; run it under `node --cpu-prof` to see where a hit spends its time:
 *
 *   npm run build && node --cpu-prof --cpu-prof-dir=/tmp/prof bench/dist/token-profile.js
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEntrance, trustCertificateAuthority, type UserKey } from "@entrance/core";
import { defaults, startEmulator } from "@entrance/emulator";
import { openSqlStore } from "@entrance/store-sql";
import { accountCopier, mulberry32, syntheticObjectIds } from "./msal-cache.js";
import { quantile, timeCalls } from "./timing.js";
import { signInThroughEntrance } from "./token-calls.js";
import { fillTokenStore, openPartition } from "./token-store.js";

const SECRET = "entrance-bench-token-secret-0123456789abcdef";
const APP_BASE = "http://localhost:3000";
const REAL: UserKey = { tenantId: defaults.contoso, objectId: defaults.users.admin };
const HOME_ACCOUNT_ID = `${REAL.objectId}.${REAL.tenantId}`;
const SCOPES = ["User.Read"];
const SEED = 20_261_128;

const users = Number(process.env.BENCH_USERS ?? 100_000);
const calls = Number(process.env.BENCH_CALLS ?? 50_000);
const workDir = await mkdtemp(join(tmpdir(), "entrance-token-profile-"));
const emulator = await startEmulator();
/** BENCH_DB keeps the filled file there (for a look at its pages), else it is thrown away. */
const filename = process.env.BENCH_DB ?? join(workDir, "entrance.db");
const entrance = createEntrance({
  tenantId: "organizations",
  clientId: defaults.webApp,
  clientSecret: defaults.webAppSecret,
  authorityHost: emulator.urls.https,
  baseUrl: APP_BASE,
  secrets: [SECRET],
  trust: trustCertificateAuthority(emulator.caCertPem),
  store: await openSqlStore(filename),
  env: {},
});
try {
  await signInThroughEntrance(emulator, entrance, APP_BASE, "megan@contoso.onmicrosoft.com");
  const probe = await openSqlStore(filename);
  const blob = await probe.tokens.get(HOME_ACCOUNT_ID);
  await probe.close();
  if (!blob) throw new Error("the sign-in stored no partition");
  const objectIds = syntheticObjectIds(users - 1, SEED, REAL.objectId);
  fillTokenStore({
    filename,
    secrets: [SECRET],
    tenantId: REAL.tenantId,
    objectIds,
    cacheFor: accountCopier(openPartition([SECRET], HOME_ACCOUNT_ID, blob), REAL.objectId),
  });
  const pool = [REAL.objectId, ...objectIds];
  const random = mulberry32(SEED);
  const call = async () => {
    const objectId = pool[Math.floor(random() * pool.length)] as string;
    const { token } = await entrance.getAccessToken({ tenantId: REAL.tenantId, objectId }, SCOPES);
    if (!token) throw new Error("no token");
  };
  await timeCalls(call, { calls: 2_000, maxMs: 10_000 });
  const samples = await timeCalls(call, { calls, maxMs: 120_000 });
  process.stdout.write(
    `${samples.length} calls, ${users} users: median ${quantile(samples, 0.5).toFixed(1)} µs, ` +
      `p90 ${quantile(samples, 0.9).toFixed(1)} µs\n`,
  );
} finally {
  await entrance.close();
  await emulator.stop();
  await rm(workDir, { recursive: true, force: true });
}
