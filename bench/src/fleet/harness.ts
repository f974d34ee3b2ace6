import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import { killAllCommands } from "./run-command.js";
import { stopAllServers } from "./server-process.js";

/** The CPU every server under test is pinned to. */
export const SERVER_CPU = 0;
/** The CPU of the load generator, and of this harness with its in-process emulator. */
export const LOAD_CPU = 1;

export interface Harness {
  readonly emulator: RunningEmulator;
  /** A temporary folder, removed at the end. */
  readonly workDir: string;
  /**
   * Runs `clean` at the end, after every server stopped, whatever happened (an error, a signal,
   * the deadline): e.g. dropping what the run wrote in PostgreSQL or Redis. Last added, first run.
   */
  onCleanUp(clean: () => Promise<void>): void;
}

/**
 * Runs a benchmark's body with the emulator started, this process pinned to LOAD_CPU, and, at
 * the end, whatever happened (an error, a signal, the deadline): every server and command it
 * started stopped, the emulator stopped and the temporary folder removed. Sets the exit code.
 */
export async function runHarness(
  name: string,
  deadlineSeconds: number,
  body: (harness: Harness) => Promise<void>,
): Promise<void> {
  if (availableParallelism() < 2) {
    throw new Error(`${name} pins servers and load to separate CPUs and needs 2; this has 1`);
  }
  const pin = spawnSync("taskset", ["-a", "-p", "-c", String(LOAD_CPU), String(process.pid)]);
  if (pin.error || pin.status !== 0) {
    throw new Error(
      "taskset (util-linux) is needed to pin processes to CPUs: apt-get install util-linux",
    );
  }
  const workDir = await mkdtemp(join(tmpdir(), "entrance-bench-"));
  let emulator: RunningEmulator | undefined;
  const cleanUps: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    killAllCommands();
    await stopAllServers();
    await emulator?.stop().catch(() => {});
    for (const clean of cleanUps.splice(0).reverse()) {
      // One failed clean-up must not keep the others from running; it is said, not hidden.
      await clean().catch((error: unknown) => {
        console.error(`${name}: a clean-up failed:`, error);
        process.exitCode = 1;
      });
    }
    await rm(workDir, { recursive: true, force: true });
  };
  const stop = (why: string) => {
    console.error(`${name}: ${why}; stopping everything it started`);
    void cleanUp().finally(() => process.exit(1));
  };
  const onSignal = (signal: NodeJS.Signals) => stop(`got ${signal}`);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const deadline = setTimeout(
    () => stop(`still running after ${deadlineSeconds} s, its limit`),
    deadlineSeconds * 1000,
  );
  try {
    emulator = await startEmulator();
    await body({ emulator, workDir, onCleanUp: (clean) => cleanUps.push(clean) });
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    clearTimeout(deadline);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanUp();
  }
}

/** A whole-number setting from the environment, checked. */
export function readInteger(name: string, fallback: number, min: number, max: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return parsed;
}

/** Progress and warnings go to stderr; stdout gets the report alone. */
export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}
