import { fileURLToPath } from "node:url";
import autocannonPackage from "autocannon/package.json" with { type: "json" };
import { runCommand } from "../fleet/run-command.js";
import { type LoadResult, type LoadTarget, OVERRUN_SECONDS } from "./load-result.js";

const WORKER = fileURLToPath(new URL("./autocannon-worker.js", import.meta.url));

export const AUTOCANNON_VERSION = autocannonPackage.version;

/**
 * Runs autocannon in a separate Node process pinned to `target.cpu` (the fallback when wrk is
 * not installed; autocannon in the harness's own process would share its event loop).
 */
export async function runAutocannon(target: LoadTarget): Promise<LoadResult> {
  const output = await runCommand(
    "taskset",
    ["-c", String(target.cpu), process.execPath, WORKER],
    // In the environment, not on the command line, where any process could read the token.
    { ...process.env, BENCH_TARGET: JSON.stringify(target) },
    (target.seconds + OVERRUN_SECONDS) * 1000,
  );
  const json = /^BENCH-RESULT (.*)$/m.exec(output)?.[1];
  if (!json) throw new Error(`autocannon printed no result:\n${output}`);
  return JSON.parse(json) as LoadResult;
}
