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
  readonly loadCpu: number;
  /** Runs the load generator against one server (wrk, or autocannon as the fallback). */
  readonly generate: (target: LoadTarget) => Promise<LoadResult>;
  readonly progress: (line: string) => void;
}

/**
 * A warm-up per variant, then `rounds` rounds each running every variant once, in the same order
 * (A B C D E, A B C D E, …), so that a change in the machine's speed touches all alike. Every
 * answer of every run is checked; one wrong answer fails the run.
 */
export async function measure(options: MeasureOptions): Promise<Rounds> {
  const once = async (
    { variant, server }: Started,
    seconds: number,
    label: string,
    needsAnswers = true,
  ) => {
    const cpuBefore = await server.cpuSeconds();
    const started = performance.now();
    const result = await options.generate({
      url: `${server.base}${options.path}`,
      cookie: options.cookies.get(variant.id),
      authorization: options.authorization,
      expectedBody: options.expectedBody,
      connections: options.connections,
      seconds,
      cpu: options.loadCpu,
    });
    const wall = (performance.now() - started) / 1000;
    assertAllRight(`${label} of ${variant.id}`, result, needsAnswers);
    const serverCpuShare = ((await server.cpuSeconds()) - cpuBefore) / wall;
    return { result, serverCpuShare, repeats: 0 };
  };
  const warmUp = new Map<string, Measured>();
  for (const started of options.fleet) {
    options.progress(`warm-up ${started.variant.id} (${options.warmUpSeconds} s)`);
    warmUp.set(started.variant.id, await once(started, options.warmUpSeconds, "the warm-up"));
  }
  const rewarmAnswers = new Map<string, number>();
  const rounds: Map<string, Measured>[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const measured = new Map<string, Measured>();
    for (const started of options.fleet) {
      const { id } = started.variant;
      options.progress(
        `round ${round}/${options.rounds}: ${id} (${options.rewarmSeconds} s + ${options.seconds} s)`,
      );
      // A second without answers here (the machine busy elsewhere) is not this server's figure.
      const rewarm = await once(
        started,
        options.rewarmSeconds,
        `the load before round ${round}`,
        false,
      );
      rewarmAnswers.set(id, (rewarmAnswers.get(id) ?? 0) + rewarm.result.requests);
      let run = await once(started, options.seconds, `round ${round}`);
      for (let repeat = 1; repeat <= options.repeats; repeat++) {
        if (run.serverCpuShare >= options.minServerCpuShare) break;
        options.progress(
          `round ${round}: ${id} had ${Math.round(run.serverCpuShare * 100)}% of its CPU; again`,
        );
        run = { ...(await once(started, options.seconds, `round ${round}`)), repeats: repeat };
      }
      measured.set(id, run);
    }
    rounds.push(measured);
  }
  return { warmUp, rewarmAnswers, rounds };
}
