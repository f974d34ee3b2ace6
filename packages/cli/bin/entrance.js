#!/usr/bin/env node
/**
 * `npx entrance`: runs the built CLI, dist/cli.js.
 *
 * Committed rather than built so that it exists when `npm install` links the package's bin (in a
 * fresh clone dist/ does not exist yet, and npm links no bin whose file is missing). In this
 * repository's checkout it first brings dist/ up to date with `tsc -b`, which does nothing when
 * dist/ is current; a published package has no tsconfig.json and runs its dist/ as it is.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

if (existsSync(join(packageDir, "tsconfig.json")) && existsSync(join(packageDir, "src"))) {
  let tsc;
  try {
    const require = createRequire(import.meta.url);
    tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  } catch {
    console.error("entrance: TypeScript is not installed here; run `npm install` first.");
    process.exit(1);
  }
  // The compiler's messages go to stderr: stdout carries only what the CLI prints (--json).
  const build = spawnSync(process.execPath, [tsc, "-b", packageDir], {
    stdio: ["ignore", process.stderr, process.stderr],
  });
  if (build.status !== 0) {
    console.error(`entrance: building ${packageDir} failed (tsc -b exited ${build.status})`);
    process.exit(1);
  }
}

await import("../dist/cli.js");
