/**
 * The end of a benchmark that runs in one process, without runHarness (the token benchmark by
 * store): what it opened closed, what it wrote in PostgreSQL and Redis removed, its temporary
 * folder deleted, once, whatever happened (an error, Ctrl-C, SIGTERM).
 */
import { rm } from "node:fs/promises";

/** Registers what to close and what to remove; `cleanUp` does both once. */
export interface CleanUp {
  /** Closed first, all at once (stores, Entrance, the emulator); returns its slot for `replace`. */
  close(closer: () => Promise<void>): number;
  /** Replaces a closer: e.g. a store's by the Entrance that now owns (and closes) it. */
  replace(slot: number, closer: () => Promise<void>): void;
  /** Run after every closer, last added first (dropping a schema, deleting keys). */
  remove(remover: () => Promise<void>): void;
  /** Closes, removes, deletes `workDir`; the same promise on every call. */
  cleanUp(): Promise<void>;
  /** Stops listening for signals (after a normal end). */
  dispose(): void;
}

/** A clean-up for a run whose temporary folder is `workDir`; on a signal it cleans up and exits 1. */
export function cleanUpOnExit(workDir: string): CleanUp {
  const closers: (() => Promise<void>)[] = [];
  const removers: (() => Promise<void>)[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => {
    cleaning ??= (async () => {
      await Promise.allSettled(closers.map((close) => close()));
      for (const remove of removers.reverse()) {
        // One failed removal must not keep the others from running; it is said, not hidden.
        await remove().catch((error: unknown) => {
          console.error("bench: a clean-up failed:", error);
          process.exitCode = 1;
        });
      }
      await rm(workDir, { recursive: true, force: true });
    })();
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`bench: got ${signal}; removing what this run wrote`);
    void cleanUp().finally(() => process.exit(1));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    close: (closer) => closers.push(closer) - 1,
    replace: (slot, closer) => {
      closers[slot] = closer;
    },
    remove: (remover) => {
      removers.push(remover);
    },
    cleanUp,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
