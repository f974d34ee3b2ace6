/**
 * The extraction behind scripts/check-examples.mjs, which type-checks every code block of the
 * documentation: which blocks it takes, how the `<!-- example: … -->` comments change them, and
 * that a compiler error is reported at the Markdown line it came from.
 */
import { describe, expect, it } from "vitest";
import { documentationFiles, extractExamples, mapDiagnostics } from "../scripts/check-examples.mjs";

const PAGE = [
  "# Title", // 1
  "", // 2
  "```sh", // 3
  "npm install", // 4
  "```", // 5
  "<!-- example: preamble", // 6
  "declare const app: { get(path: string): void };", // 7
  "-->", // 8
  "", // 9
  "```ts", // 10
  'app.get("/");', // 11
  "```", // 12
  "- a list item:", // 13
  "", // 14
  "  <!-- example: skip an outline -->", // 15
  "  ```typescript", // 16
  "  start() { … }", // 17
  "  ```", // 18
  "<!-- example: file lib/entrance.ts -->", // 19
  "```tsx", // 20
  "export const x = <p />;", // 21
  "```", // 22
  "Text between a comment and a block ends the comment:", // 23
  "```js", // 24
  "export default {};", // 25
  "```", // 26
].join("\n");

describe("extractExamples", () => {
  const examples = extractExamples(PAGE, "page.md");

  it("takes ts, typescript, tsx and js blocks, not sh, with their first line", () => {
    expect(examples.map((e) => [e.line, e.lang])).toEqual([
      [11, "ts"],
      [17, "ts"],
      [21, "tsx"],
      [25, "js"],
    ]);
  });

  it("keeps a preamble for the block after it, and where it was written", () => {
    expect(examples[0]).toMatchObject({
      mode: "check",
      preamble: "declare const app: { get(path: string): void };\n",
      preambleLine: 6,
    });
  });

  it("skips a block with its reason, removing a list item's indentation", () => {
    expect(examples[1]).toMatchObject({
      mode: "skip",
      reason: "an outline",
      code: "start() { … }",
    });
  });

  it("names a file block, and forgets a comment once other text comes between", () => {
    expect(examples[2]).toMatchObject({ file: "lib/entrance.ts", mode: "check" });
    expect(examples[3]).toMatchObject({ mode: "check", preamble: "" });
    expect(examples[3]?.file).toBeUndefined();
  });

  it("refuses an unknown directive, a skip without a reason and a file outside the page", () => {
    expect(() => extractExamples("<!-- example: fragment -->\n```ts\nx\n```", "a.md")).toThrow(
      "a.md:1: unknown",
    );
    expect(() => extractExamples("<!-- example: skip -->\n```ts\nx\n```", "a.md")).toThrow(
      "say why",
    );
    expect(() =>
      extractExamples("<!-- example: file ../../x.ts -->\n```ts\nx\n```", "a.md"),
    ).toThrow("relative");
  });
});

describe("mapDiagnostics", () => {
  it("reports an error at the Markdown line, a preamble's at its comment", () => {
    const origins = new Map([["out/page/line-11.ts", { page: "page.md", lines: [6, 11, 12] }]]);
    const output = [
      "out/page/line-11.ts(2,5): error TS2339: Property 'gett' does not exist.",
      "  Did you mean 'get'?",
      "out/page/line-11.ts(1,1): error TS2304: Cannot find name 'x'.",
    ].join("\n");
    expect(mapDiagnostics(output, origins)).toEqual([
      {
        where: "page.md:11",
        message: "TS2339 Property 'gett' does not exist.\n  Did you mean 'get'?",
      },
      { where: "page.md:6", message: "TS2304 Cannot find name 'x'." },
    ]);
  });
});

describe("documentationFiles", () => {
  it("covers the root README, docs/ and every package's and app's README", () => {
    const files = documentationFiles();
    expect(files).toContain("README.md");
    expect(files).toContain("docs/errors.md");
    expect(files).toContain("packages/express/README.md");
    expect(files).toContain("apps/next/README.md");
  });
});
