#!/usr/bin/env node
/**
 * `npm test`'s last step: runs Vitest, passes its output through, keeps a copy in
 * test-results/test-output.log, and fails the run if anything logged looks like a token.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { findTokens } from "./token-scan.mjs";

const require = createRequire(import.meta.url);
// vitest's bin, next to its package.json (its exports do not list the file itself).
const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
const chunks = [];
const child = spawn(process.execPath, [vitest, "run", ...process.argv.slice(2)], {
  stdio: ["inherit", "pipe", "pipe"],
  env: {
    ...process.env,
    FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? "1" : "0"),
  },
});
child.stdout.on("data", (chunk) => {
  chunks.push(chunk);
  process.stdout.write(chunk);
});
child.stderr.on("data", (chunk) => {
  chunks.push(chunk);
  process.stderr.write(chunk);
});
child.on("close", (code, signal) => {
  const output = Buffer.concat(chunks).toString("utf8");
  mkdirSync("test-results", { recursive: true });
  writeFileSync("test-results/test-output.log", output);
  const found = findTokens(output);
  if (found.length > 0) {
    process.stderr.write(
      `\nToken scan: ${found.length} token-like value(s) in the test output (test-results/test-output.log):\n`,
    );
    for (const item of found.slice(0, 20))
      process.stderr.write(`  line ${item.line}: ${item.kind} ${item.preview}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `Token scan: no token in ${output.split("\n").length} lines of test output.\n`,
  );
  process.exit(code ?? (signal ? 1 : 0));
});
