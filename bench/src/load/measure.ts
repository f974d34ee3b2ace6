import type { Started } from "../fleet/fleet.js";
import { assertAllRight, type LoadResult, type LoadTarget } from "./load-result.js";

/** One variant under load for one round, with what its server process used meanwhile. */
export interface Measured {
  readonly result: LoadResult;
  /** Server CPU time / wall time of the round: 1 means its core was busy all along. */
  readonly serverCpuShare: number;
  /** Runs of this round thrown away because the server did not get its CPU (see MeasureOptions). */
  readonly repeats: number;
}

/** Each variant's warm-up and rounds, in the order they ran. */
export interface Rounds {
  readonly warmUp: ReadonlyMap<string, Measured>;
  /** Answers checked in the unmeasured load before each round, by variant id. */
  readonly rewarmAnswers: ReadonlyMap<string, number>;
  /** rounds[i] is round i+1: a map from variant id to what it measured. */
  readonly rounds: readonly ReadonlyMap<string, Measured>[];
  /** Whether each group's servers ran at the same time, sharing their core (see MeasureOptions). */
  readonly together: boolean;
}

export interface MeasureOptions {
  readonly fleet: readonly Started[];
  /** The signed-in browser's cookie per variant id (none for the baseline). */
  readonly cookies: ReadonlyMap<string, string | undefined>;
  /** The Authorization header every request carries, if any (the same for every variant). */
  readonly authorization?: string;
  readonly path: string;
  readonly expectedBody: string;
  readonly connections: number;
  readonly seconds: number;
  readonly warmUpSeconds: number;
  /**
   * Load before each measured run, not measured (its answers still checked): a server that sat
   * idle while the others ran starts slow, which is not its steady state.
   */
  readonly rewarmSeconds: number;
  /**
   * A measured run in which the server had less than this share of its CPU (something else ran
   * on that core: the machine is shared) is run again, at most `repeats` times; the last one
   * counts, flagged when it is still short.
   */
  readonly minServerCpuShare: number;
  readonly repeats: number;
  readonly rounds: number;
  /**
   * Measures each of these groups' servers at the same time, all on their one core, each loaded by
   * a generator of its own (all on `loadCpu`), instead of one after another. The core's speed
   * then moves for all of them alike, and each server's CPU time per answer compares with the
   * others' of the same seconds. The warm-up still runs each alone.
   */
  readonly together?: readonly (readonly Started[])[];
  readonly loadCpu: number;
  /** Runs the load generator against one server (wrk, or autocannon as the fallback). */
  readonly generate: (target: LoadTarget) => Promise<LoadResult>;
  readonly progress: (line: string) => void;
}

/**
 * A warm-up per variant, then `rounds` rounds. Each round runs every variant once, every other
 * round in reverse (A B C, C B A, A B C, …): a variant measured just after its baseline in one
 * round is measured just before it in the next, so that a machine getting faster or slower over a
 * few rounds pushes the ratios of the two rounds apart, not all one way. With `together`, a round
 * runs each group's servers at once instead. Every answer of every run is checked; one wrong
 * answer fails the run.
 */
export async function measure(options: MeasureOptions): Promise<Rounds> {
  /** The servers under load at once (one, or a group sharing its core), each with its share. */
  const load = async (
    servers: readonly Started[],
    seconds: number,
    label: string,
    needsAnswers = true,
  ): Promise<Map<string, Measured>> => {
    const cpuBefore = await Promise.all(servers.map(({ server }) => server.cpuSeconds()));
    const started = performance.now();
    const results = await Promise.all(
      servers.map(({ variant, server }) =>
        options.generate({
          url: `${server.base}${options.path}`,
          cookie: options.cookies.get(variant.id),
          authorization: options.authorization,
          expectedBody: options.expectedBody,
          connections: options.connections,
          seconds,
          cpu: options.loadCpu,
        }),
      ),
    );
    const wall = (performance.now() - started) / 1000;
    const cpuAfter = await Promise.all(servers.map(({ server }) => server.cpuSeconds()));
    const runs = new Map<string, Measured>();
    servers.forEach(({ variant }, i) => {
      const result = results[i] as LoadResult;
      assertAllRight(`${label} of ${variant.id}`, result, needsAnswers);
      const serverCpuShare = ((cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0)) / wall;
      runs.set(variant.id, { result, serverCpuShare, repeats: 0 });
    });
    return runs;
  };
  const warmUp = new Map<string, Measured>();
  for (const started of options.fleet) {
    options.progress(`warm-up ${started.variant.id} (${options.warmUpSeconds} s)`);
    for (const [id, run] of await load([started], options.warmUpSeconds, "the warm-up")) {
      warmUp.set(id, run);
    }
  }
  const rewarmAnswers = new Map<string, number>();
  const rounds: Map<string, Measured>[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const measured = new Map<string, Measured>();
    const order = round % 2 === 1 ? options.fleet : [...options.fleet].reverse();
    // What runs at once: each group, or each server alone.
    const batches = options.together ?? order.map((started) => [started]);
    for (const batch of batches) {
      const ids = batch.map((started) => started.variant.id).join(" + ");
      options.progress(
        `round ${round}/${options.rounds}: ${ids}${batch.length > 1 ? " together" : ""} ` +
          `(${options.rewarmSeconds} s + ${options.seconds} s)`,
      );
      // A second without answers here (the machine busy elsewhere) is not a server's figure.
      const rewarm = await load(
        batch,
        options.rewarmSeconds,
        `the load before round ${round}`,
        false,
      );
      for (const [id, run] of rewarm) {
        rewarmAnswers.set(id, (rewarmAnswers.get(id) ?? 0) + run.result.requests);
      }
      let runs = await load(batch, options.seconds, `round ${round}`);
      for (let repeat = 1; repeat <= options.repeats; repeat++) {
        // Servers run together share one core: together they must have had it, not each.
        const share = [...runs.values()].reduce((sum, run) => sum + run.serverCpuShare, 0);
        if (share >= options.minServerCpuShare) break;
        options.progress(
          `round ${round}: ${ids} had ${Math.round(share * 100)}% of the CPU; again`,
        );
        const again = await load(batch, options.seconds, `round ${round}`);
        runs = new Map([...again].map(([id, run]) => [id, { ...run, repeats: repeat }]));
      }
      for (const [id, run] of runs) measured.set(id, run);
    }
    rounds.push(measured);
  }
  return { warmUp, rewarmAnswers, rounds, together: options.together !== undefined };
}
