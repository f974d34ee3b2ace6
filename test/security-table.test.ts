/**
 * The renderer of docs/SECURITY.md's table of security cases (scripts/security-table.mjs): which
 * results it takes from Vitest's JSON report, how it lays them out, and when `npm test` fails.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  compareWithReport,
  END,
  renderSecurityTable,
  replaceSection,
  START,
  securityCases,
  staleMessage,
  type VitestJsonReport,
} from "../scripts/security-table.mjs";

const ROOT = "/repo";
const report = (files: Record<string, [string[], string, string][]>): VitestJsonReport => ({
  testResults: Object.entries(files).map(([name, tests]) => ({
    name: join(ROOT, name),
    assertionResults: tests.map(([ancestorTitles, title, status]) => ({
      ancestorTitles,
      title,
      status,
    })),
  })),
});

const SAMPLE = report({
  "test/security/zeta.test.ts": [[["Fuzzing"], "callback parameters: no 5xx", "passed"]],
  "test/security/alpha.test.ts": [
    [["Bearer tokens"], "alg none: 401", "passed"],
    [["Bearer tokens", "keys"], "unknown kid | refetched: 401", "failed"],
    [["Browser attacks"], "CSRF on the callback", "skipped"],
  ],
  "packages/core/test/bearer.test.ts": [[["Bearer tokens"], "not a security file", "passed"]],
});

describe("securityCases", () => {
  it("takes only test/security files, in path order, with nested describes in the case", () => {
    expect(securityCases(SAMPLE, ROOT)).toEqual([
      {
        file: "test/security/alpha.test.ts",
        area: "Bearer tokens",
        name: "alg none: 401",
        result: "passed",
      },
      {
        file: "test/security/alpha.test.ts",
        area: "Bearer tokens",
        name: "keys › unknown kid | refetched: 401",
        result: "failed",
      },
      {
        file: "test/security/alpha.test.ts",
        area: "Browser attacks",
        name: "CSRF on the callback",
        result: "skipped",
      },
      {
        file: "test/security/zeta.test.ts",
        area: "Fuzzing",
        name: "callback parameters: no 5xx",
        result: "passed",
      },
    ]);
  });

  it("counts todo and pending as skipped, and an unknown status as failed", () => {
    const cases = securityCases(
      report({
        "test/security/a.test.ts": [
          [["A"], "todo", "todo"],
          [["A"], "pending", "pending"],
          [["A"], "odd", "weird"],
        ],
      }),
      ROOT,
    );
    expect(cases.map((c) => c.result)).toEqual(["skipped", "skipped", "failed"]);
  });
});

describe("renderSecurityTable", () => {
  it("writes a summary and one padded table per area, escaping pipes", () => {
    expect(renderSecurityTable(securityCases(SAMPLE, ROOT))).toBe(
      [
        START,
        "",
        "4 cases: 2 passed, 1 failed, 1 skipped.",
        "",
        "### Bearer tokens",
        "",
        "| case                                 | result |",
        "| ------------------------------------ | ------ |",
        "| alg none: 401                        | passed |",
        "| keys › unknown kid \\| refetched: 401 | failed |",
        "",
        "### Browser attacks",
        "",
        "| case                 | result  |",
        "| -------------------- | ------- |",
        "| CSRF on the callback | skipped |",
        "",
        "### Fuzzing",
        "",
        "| case                        | result |",
        "| --------------------------- | ------ |",
        "| callback parameters: no 5xx | passed |",
        "",
        END,
      ].join("\n"),
    );
  });

  it("says so when no security case ran", () => {
    expect(renderSecurityTable([])).toContain("No security case ran.");
  });
});

describe("compareWithReport", () => {
  const doc = (cases: Parameters<typeof renderSecurityTable>[0]) =>
    `# Security\n\nintro\n\n${renderSecurityTable(cases)}\n\nafter\n`;
  const passedAll = securityCases(SAMPLE, ROOT).map((c) => ({ ...c, result: "passed" as const }));

  it("is ok when the document's section is this run's", () => {
    expect(compareWithReport(doc(securityCases(SAMPLE, ROOT)), SAMPLE, ROOT).ok).toBe(true);
  });

  it("fails on a renamed, added or failed case", () => {
    const renamed = passedAll.map((c, i) => (i === 0 ? { ...c, name: "alg none" } : c));
    expect(compareWithReport(doc(renamed), SAMPLE, ROOT).ok).toBe(false);
    expect(compareWithReport(doc(passedAll.slice(1)), SAMPLE, ROOT).ok).toBe(false);
  });

  it("tolerates cases this run skipped that the document shows passed, unless every component is required", () => {
    const skippedOnly = report({
      "test/security/a.test.ts": [
        [["Browser attacks"], "CSRF", "skipped"],
        [["Bearer tokens"], "alg none", "passed"],
      ],
    });
    const committed = doc(
      securityCases(skippedOnly, ROOT).map((c) => ({ ...c, result: "passed" as const })),
    );
    expect(compareWithReport(committed, skippedOnly, ROOT)).toEqual({
      ok: true,
      tolerated: true,
      skipped: 1,
    });
    expect(compareWithReport(committed, skippedOnly, ROOT, { requireAll: true }).ok).toBe(false);
  });

  it("refuses a document without the markers", () => {
    expect(() => replaceSection("# Security\n", "x")).toThrow(/markers/);
  });

  it("names the command that refreshes the table", () => {
    expect(staleMessage("docs/SECURITY.md")).toContain("`npm run security:table`");
  });
});

describe("the command line", () => {
  it("--check exits 1 with the refresh command when the committed table differs from a report", () => {
    const folder = mkdtempSync(join(tmpdir(), "security-table-"));
    const path = join(folder, "report.json");
    const changed = report({
      "test/security/invented.test.ts": [[["Invented area"], "a case no doc lists", "passed"]],
    });
    // Paths in a report are absolute: make this one's sit under the repository.
    const repo = join(import.meta.dirname, "..");
    const absolute = {
      testResults: changed.testResults?.map((f) => ({
        ...f,
        name: join(repo, f.name.slice(ROOT.length + 1)),
      })),
    };
    writeFileSync(path, JSON.stringify(absolute));
    let stderr = "";
    let status = 0;
    try {
      execFileSync(process.execPath, [join(repo, "scripts/security-table.mjs"), "--check", path], {
        stdio: "pipe",
        env: { ...process.env, ENTRANCE_REQUIRE_ALL: "" },
      });
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(1);
    expect(stderr).toContain("npm run security:table");
  });
});
