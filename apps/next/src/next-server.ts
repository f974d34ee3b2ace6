import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** This app's folder, where `.next/` is built. */
export const APP_DIR = join(import.meta.dirname, "..");

const nextBin = join(
  dirname(createRequire(import.meta.url).resolve("next/package.json")),
  "dist/bin/next",
);

/**
 * Runs `next <args>` on this app, in its folder (where the default store's `.entrance/` then is),
 * with `env` added to this process's environment; its output goes to this process's, or is piped.
 */
export function runNext(
  args: readonly string[],
  env: Record<string, string>,
  output: "inherit" | "pipe" = "inherit",
): ChildProcess {
  return spawn(process.execPath, [nextBin, ...args], {
    cwd: APP_DIR,
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", output, output],
  });
}
