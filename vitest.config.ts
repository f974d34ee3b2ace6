import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // CI does not parse vitest's console output; .ci/run turns this JSON into the closing
    // "N passed, N failed" line. Only under CI for a direct `npx vitest`; `npm test`
    // (scripts/run-tests.mjs) always asks for it, to check docs/SECURITY.md's table against it.
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: "test-results/vitest.json" }]]
      : ["default"],
  },
});
