/**
 * docs/api/ lists each published package's exports with their TSDoc summary, generated from the
 * built declarations (scripts/api-reference.mjs, since TypeDoc needs a compiler API TypeScript 7
 * lacks): this fails `npm test` when an export or its summary changes without the pages.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exportsOf, stalePages, summary } from "../scripts/api-reference.mjs";

describe("docs/api", () => {
  it("is current (run `npm run docs:api` after changing an export or its TSDoc)", () => {
    expect(stalePages()).toEqual([]);
  });
});

describe("reading declarations", () => {
  const root = mkdtempSync(join(tmpdir(), "api-reference-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "dist"));
  writeFileSync(
    join(root, "dist/index.d.ts"),
    [
      'export { a, type B as Renamed } from "./a.js";',
      'export * from "./star.js";',
      'export { External } from "some-library";',
      'import { moved } from "./a.js";',
      "export { moved };",
      "/** Two guards, one statement. */",
      "export declare const first: (x: Record<string, number>) => void, second: () => void;",
    ].join("\n"),
  );
  writeFileSync(
    join(root, "dist/a.d.ts"),
    [
      "/**",
      " * Does a.",
      " *",
      " * More about a.",
      " * @example",
      " * a();",
      " */",
      "export declare function a(): void;",
      "/** The B shape; see {@link a}. */",
      "export interface B {}",
      "/** Moved here. */",
      "export declare const moved = 1;",
    ].join("\n"),
  );
  writeFileSync(join(root, "dist/star.d.ts"), "export type Undocumented = string;\n");

  it("follows re-exports, renames, `export *` and import-then-export, with each summary", () => {
    expect(exportsOf(root, "dist/index.d.ts")).toEqual([
      { name: "a", kind: "function", summary: "Does a." },
      { name: "External", kind: "re-export", summary: "", from: "some-library" },
      { name: "first", kind: "const", summary: "Two guards, one statement." },
      { name: "moved", kind: "const", summary: "Moved here." },
      { name: "Renamed", kind: "interface", summary: "The B shape; see `a`." },
      { name: "second", kind: "const", summary: "Two guards, one statement." },
      { name: "Undocumented", kind: "type", summary: "" },
    ]);
  });

  it("takes the first paragraph, not block tags, and keeps `@scope/name` in prose", () => {
    expect(summary("/**\n * Uses @entrance/store-sql\n * by default.\n *\n * Later.\n */")).toBe(
      "Uses @entrance/store-sql by default.",
    );
    expect(summary("/**\n * @example\n * x();\n */")).toBe("");
  });
});
