import { describe, expect, it } from "vitest";
import { readCookie } from "../src/http/cookies.js";

describe("readCookie", () => {
  it.each([
    ["a=1; entrance-session=abc; b=2", "abc"],
    ["entrance-session=abc", "abc"],
    [" entrance-session = abc ;", "abc"],
    ["=abc; entrance-session=ok", "ok"],
    ["a=b=c; entrance-session=z", "z"],
    [";;;entrance-session=q;;", "q"],
    ["entrance-session=first; entrance-session=second", "first"],
  ])("finds the cookie in %j", (header, value) => {
    expect(readCookie(header, "entrance-session")).toBe(value);
  });

  it.each([
    "x-entrance-session=abc",
    "entrance-session-x=abc",
    "entrance-session=a b",
    "entrance-session=<script>",
    "entrance-session",
    "",
    `entrance-session=${"a".repeat(257)}`,
  ])("finds none, or refuses a malformed value, in %j", (header) => {
    expect(readCookie(header, "entrance-session")).toBeUndefined();
  });

  it("is absent without a header", () => {
    expect(readCookie(null, "entrance-session")).toBeUndefined();
    expect(readCookie(undefined, "entrance-session")).toBeUndefined();
  });
});
