/**
 * What both token benchmarks (by number of users, `tokens.ts`; by store, `tokens-stores.ts`) do
 * the same way: sign the user in through Entrance, count the store's token reads and writes,
 * see whether the emulator was called, and run the cases in alternating rounds.
 */
import type { Entrance, EntranceStore } from "@entrance/core";
import type { RunningEmulator } from "@entrance/emulator";
import { pickAccount } from "@entrance/emulator/testing";
import { type Budget, timeCalls } from "./timing.js";

/** One timed case: an id, and one call to time (which throws when its answer is wrong). */
export interface TimedCase {
  readonly id: string;
  readonly call: () => Promise<void>;
}

/**
 * Runs every case in one unrecorded round, then `rounds` recorded ones, each round starting one
 * case later than the one before, so that a change in the machine's speed touches every case
 * alike. The first round after a phase change (a fill, another tool) runs slower, hence the extra.
 * `afterEach`, when given, runs after each case's calls of a round, outside the timed spans: to
 * check the answers the calls kept.
 */
export async function alternate(
  rounds: number,
  cases: readonly TimedCase[],
  budget: () => Budget,
  afterEach?: () => void,
): Promise<{ samples: Map<string, number[][]>; calls: number }> {
  const samples = new Map<string, number[][]>(cases.map(({ id }) => [id, []]));
  let calls = 0;
  for (let round = -1; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const current = cases[(round + 1 + i) % cases.length];
      if (!current) continue;
      const durations = await timeCalls(current.call, budget());
      afterEach?.();
      calls += durations.length;
      if (round >= 0) samples.get(current.id)?.push(durations);
    }
  }
  return { samples, calls };
}

/** The store's token reads and writes so far. */
export interface TokenCounts {
  get: number;
  getIndex: number;
  put: number;
  delete: number;
}

/** The store, with its token reads and writes counted (one increment per call). */
export function countingTokens(store: EntranceStore): {
  store: EntranceStore;
  counts: TokenCounts;
} {
  const counts: TokenCounts = { get: 0, getIndex: 0, put: 0, delete: 0 };
  const tokens = store.tokens;
  const counted: EntranceStore = {
    ...store,
    tokens: {
      get: (partition) => {
        counts.get++;
        return tokens.get(partition);
      },
      getIndex: (partition) => {
        counts.getIndex++;
        return tokens.getIndex(partition);
      },
      put: (partition, data, index) => {
        counts.put++;
        return tokens.put(partition, data, index);
      },
      delete: (partition) => {
        counts.delete++;
        return tokens.delete(partition);
      },
    },
  };
  return { store: counted, counts };
}

/**
 * The real flow, in process: /auth/login, the emulator's sign-in page for `user`,
 * /auth/callback; `appBase` is the origin the emulator's app is registered for.
 */
export async function signInThroughEntrance(
  emulator: RunningEmulator,
  entrance: Entrance,
  appBase: string,
  user: string,
): Promise<void> {
  const login = await entrance.handle(new Request(`${appBase}/auth/login?returnTo=%2F`));
  const authorize = login?.headers.get("location");
  if (login?.status !== 302 || !authorize) {
    throw new Error(`GET /auth/login answered ${login?.status}, not a redirect to Entra`);
  }
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const { location } = await pickAccount(emulator, authorize, { user });
  const callback = await entrance.handle(new Request(location, { headers: { cookie } }));
  if (callback?.status !== 302 || callback.headers.get("location") !== "/") {
    const body = (await callback?.text())?.slice(0, 500);
    throw new Error(`the callback answered ${callback?.status}: ${body}`);
  }
}

/** The emulator's request counts that changed between two snapshots, or "none". */
export function diffCounts(before: string, after: string): string {
  const a = JSON.parse(before) as Record<string, number>;
  const b = JSON.parse(after) as Record<string, number>;
  const changed = Object.keys(b)
    .filter((key) => b[key] !== a[key])
    .map((key) => `${key} +${(b[key] ?? 0) - (a[key] ?? 0)}`);
  return changed.length ? changed.join(", ") : "none";
}
