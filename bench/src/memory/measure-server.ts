import type { RunningEmulator } from "@entrance/emulator";
import type { Started } from "../fleet/fleet.js";
import type { ServerFacts } from "../servers/protocol.js";
import { signInMany } from "./sign-in-many.js";

/** A server's memory at one moment: RSS as it was, then memory after a full collection. */
export interface Snapshot {
  readonly sessions: number;
  /** Resident set size from /proc, no collection forced. */
  readonly rss: number;
  /** process.memoryUsage() and the server's own facts, after gc(). */
  readonly facts: ServerFacts;
}

/** One server's memory idle, after a few sessions, and after all of them. */
export interface ServerMemory {
  readonly id: string;
  readonly label: string;
  readonly idle: Snapshot;
  /** After the first sessions, which also warm the server's code up: the base of the slope. */
  readonly warm: Snapshot;
  readonly after: Snapshot;
  readonly signInSeconds: number;
  /** Mean length of the `Cookie` header a signed-in browser sends with every request. */
  readonly cookieBytesPerSession: number;
  /** The cookie of each user's first session. */
  readonly firstCookie: ReadonlyMap<string, string>;
}

export interface MemoryRun {
  readonly users: readonly string[];
  readonly sessions: number;
  readonly warmSessions: number;
  readonly concurrency: number;
  readonly progress: (line: string) => void;
}

/** Signs `run.sessions` sessions in to one server (none for the baseline), taking snapshots. */
export async function measureServer(
  emulator: RunningEmulator,
  { variant, server }: Started,
  run: MemoryRun,
): Promise<ServerMemory> {
  const snapshot = async (sessions: number): Promise<Snapshot> => ({
    sessions,
    rss: await server.rssBytes(),
    facts: await server.facts(),
  });
  const idle = await snapshot(0);
  if (!variant.signsIn) {
    return {
      id: variant.id,
      label: variant.label,
      idle,
      warm: idle,
      after: idle,
      signInSeconds: 0,
      cookieBytesPerSession: 0,
      firstCookie: new Map(),
    };
  }
  const signIn = (count: number) => {
    run.progress(`${variant.id}: ${count} sign-ins, ${run.concurrency} at a time`);
    return signInMany(emulator, server.base, run.users, count, run.concurrency, (done) =>
      run.progress(`${variant.id}: ${done} of ${count} signed in`),
    );
  };
  const first = await signIn(run.warmSessions);
  const warm = await snapshot(run.warmSessions);
  const rest = await signIn(run.sessions - run.warmSessions);
  return {
    id: variant.id,
    label: variant.label,
    idle,
    warm,
    after: await snapshot(run.sessions),
    signInSeconds: first.seconds + rest.seconds,
    cookieBytesPerSession: (first.cookieBytes + rest.cookieBytes) / run.sessions,
    firstCookie: first.firstCookie,
  };
}
