import type { Started } from "../fleet/fleet.js";
import { assertAllRight, type LoadResult, type LoadTarget } from "./load-result.js";

/** One variant under load for one round, with what its server process used meanwhile. */
export interface Measured {
  readonly result: LoadResult;
  /** Server CPU time / wall time of the round: 1 means its core was busy all along. */
  readonly serverCpuShare: number;
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
  readonly path: string;
  readonly expectedBody: string;
  readonly connections: number;
  readonly seconds: number;
  readonly warmUpSeconds: number;
  /**
   * Load before each measured run, not measured (its answers still checked): a server that sat
   * idle while the others ran starts slow (its heap shrunk meanwhile), which is not its steady
   * state.
   */
  readonly rewarmSeconds: number;
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
      expectedBody: options.expectedBody,
      connections: options.connections,
      seconds,
      cpu: options.loadCpu,
    });
    const wall = (performance.now() - started) / 1000;
    assertAllRight(`${label} of ${variant.id}`, result, needsAnswers);
    const serverCpuShare = ((await server.cpuSeconds()) - cpuBefore) / wall;
    return { result, serverCpuShare };
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
      measured.set(id, await once(started, options.seconds, `round ${round}`));
    }
    rounds.push(measured);
  }
  return { warmUp, rewarmAnswers, rounds };
}
