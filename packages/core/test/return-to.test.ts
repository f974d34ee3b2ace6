import { describe, expect, it } from "vitest";
import { safeReturnTo } from "../src/index.js";

const BASE = "https://app.example.com";

describe("safeReturnTo", () => {
  it.each(["/", "/orders", "/orders?id=1&x=%2F", "/a/b#frag", "/%2F%2Fevil.com"])(
    "keeps the same-origin path %s",
    (path) => {
      expect(safeReturnTo(path, BASE)).toBe(path);
    },
  );

  it.each([
    "https://evil.com/",
    "//evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/.//evil.com",
    "/..//evil.com",
    "/a/..//evil.com",
    "/%2e//evil.com",
    "/%2e%2e//evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "javascript:alert(1)",
    "evil.com",
    "",
    `/${"a".repeat(3000)}`,
  ])("refuses %j", (value) => {
    expect(safeReturnTo(value, BASE)).toBe("/");
  });

  it("normalises dot-segments that stay on the site", () => {
    expect(safeReturnTo("/a/../b", BASE)).toBe("/b");
  });
});
