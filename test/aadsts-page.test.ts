/**
 * docs/aadsts.md is generated from the code (scripts/aadsts-page.mjs): this fails `npm test` when
 * an AADSTS explanation or the codes that end a user's sessions change without the page.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  deadGrantCodes,
  END,
  expectedPage,
  explainedCodes,
  PAGE,
  renderSection,
  START,
} from "../scripts/aadsts-page.mjs";

describe("docs/aadsts.md", () => {
  it("is what the code says (run `npm run docs:aadsts` after changing an explanation)", () => {
    expect(readFileSync(PAGE, "utf8")).toBe(expectedPage());
  });

  it("lists every code explainAadsts has a case for, AADSTS50011 with its fix", () => {
    const page = readFileSync(PAGE, "utf8");
    const codes = explainedCodes(readFileSync("packages/core/src/errors/explanations.ts", "utf8"));
    expect(codes).toContain(50011);
    for (const code of codes) expect(page).toContain(`AADSTS${code}`);
    expect(page).toContain("Add {ENTRANCE_BASE_URL}/auth/callback as a Web redirect URI");
  });
});

describe("the generator", () => {
  const explain = (code: number) =>
    code === 1 || code === 2 ? { meaning: "One | two.", fix: "Fix it." } : undefined;

  it("groups codes with the same explanation and escapes table cells", () => {
    const section = renderSection([1, 2], [3], explain);
    expect(section.startsWith(START)).toBe(true);
    expect(section.endsWith(END)).toBe(true);
    expect(section).toContain("| AADSTS1, AADSTS2 | One \\| two.");
    expect(section).toContain("AADSTS3");
  });

  it("fails rather than drop a code the function does not explain", () => {
    expect(() => renderSection([1, 9], [], explain)).toThrow("explainAadsts(9)");
  });

  it("fails when the sources no longer read as it expects", () => {
    expect(() => explainedCodes("switch (code) {}")).toThrow("no `case");
    expect(() => deadGrantCodes("const OTHER = 1;")).toThrow("DEAD_GRANT");
    expect(deadGrantCodes("const DEAD_GRANT = new Set([50173, 70008]);")).toEqual([50173, 70008]);
  });
});
