import { describe, expect, it } from "vitest";
import { prefersJson } from "../src/index.js";

const wants = (accept: string | null, requestedWith?: string) =>
  prefersJson(
    new Headers({
      ...(accept === null ? {} : { accept }),
      ...(requestedWith ? { "x-requested-with": requestedWith } : {}),
    }),
  );

describe("prefersJson", () => {
  it("answers API clients' usual Accept headers with JSON (axios, Angular, fetch)", () => {
    expect(wants("application/json, text/plain, */*")).toBe(true);
    expect(wants("application/json, */*")).toBe(true);
    expect(wants("application/json")).toBe(true);
    expect(wants("application/json, text/html")).toBe(true);
    expect(wants(null, "XMLHttpRequest")).toBe(true);
  });

  it("answers browsers, */* and no Accept with a page", () => {
    expect(
      wants("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"),
    ).toBe(false);
    expect(wants("*/*")).toBe(false);
    expect(wants(null)).toBe(false);
    expect(wants("text/html, application/json")).toBe(false);
    expect(wants("application/json;q=0.5, text/html")).toBe(false);
  });

  it("survives hostile headers", () => {
    expect(wants("application/json;q=NaN, text/html;q=x")).toBe(false);
    expect(wants(`${"a/b,".repeat(10_000)}application/json`)).toBe(false);
    expect(wants(";;;,,,=q")).toBe(false);
  });
});
