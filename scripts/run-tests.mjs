#!/usr/bin/env node
/**
 * `npm test`'s last step: runs Vitest (with its JSON report in test-results/vitest.json), passes
 * its output through, keeps a copy in test-results/test-output.log, fails the run if anything
 * logged looks like a token, and — for a whole run — if docs/SECURITY.md's table of security
 * cases differs from this run's results (scripts/security-table.mjs).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { compareWithReport, staleMessage } from "./security-table.mjs";
import { findTokens } from "./token-scan.mjs";

const require = createRequire(import.meta.url);
// vitest's bin, next to its package.json (its exports do not list the file itself).
const vitest = join(dirname(require.resolve("vitest/package.json")), "vitest.mjs");
const REPORT = "test-results/vitest.json";
const filters = process.argv.slice(2);
const chunks = [];
const reporters = ["--reporter=default", "--reporter=json", `--outputFile.json=${REPORT}`];
const child = spawn(process.execPath, [vitest, "run", ...reporters, ...filters], {
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
  if (!securityTableCurrent()) process.exit(1);
  process.exit(code ?? (signal ? 1 : 0));
});

/** Whether docs/SECURITY.md's generated table matches this run; a filtered run is not checked. */
function securityTableCurrent() {
  if (filters.length > 0) {
    process.stdout.write("Security table: not checked (a filtered run).\n");
    return true;
  }
  let result;
  try {
    result = compareWithReport(
      readFileSync("docs/SECURITY.md", "utf8"),
      JSON.parse(readFileSync(REPORT, "utf8")),
      process.cwd(),
      { requireAll: process.env.ENTRANCE_REQUIRE_ALL === "1" },
    );
  } catch (error) {
    process.stderr.write(`\nSecurity table: ${error.message}\n`);
    return false;
  }
  if (!result.ok) {
    process.stderr.write(`\n${staleMessage("docs/SECURITY.md")}\n`);
    return false;
  }
  process.stdout.write(
    result.tolerated
      ? `Security table: current, but ${result.skipped} case(s) skipped on this machine.\n`
      : "Security table: docs/SECURITY.md matches this run.\n",
  );
  return true;
}
