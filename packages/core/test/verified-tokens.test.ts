import { describe, expect, it } from "vitest";
import { VerifiedTokens } from "../src/bearer/verified-cache.js";

describe("the cache of verified tokens", () => {
  it("never answers for a token past its expiry", () => {
    const cache = new VerifiedTokens<string>(10, 1000);
    cache.set("a.b.c", "claims", 2000, 1000);
    expect(cache.get("a.b.c", 1999)).toBe("claims");
    expect(cache.get("a.b.c", 2000)).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set("d.e.f", "expired already", 1000, 1000);
    expect(cache.get("d.e.f", 0)).toBeUndefined();
  });

  it("holds at most its number of entries, dropping the oldest", () => {
    const cache = new VerifiedTokens<number>(3, 1000);
    for (let i = 0; i < 10; i++) cache.set(`t.${i}.s`, i, 10_000, 0);
    expect(cache.size).toBe(3);
    expect(cache.get("t.9.s", 1)).toBe(9);
    expect(cache.get("t.6.s", 1)).toBeUndefined();
  });

  it("holds at most its number of characters, and no token longer than that", () => {
    const cache = new VerifiedTokens<number>(100, 25);
    cache.set("x".repeat(10), 1, 10_000, 0);
    cache.set("y".repeat(10), 2, 10_000, 0);
    cache.set("z".repeat(10), 3, 10_000, 0);
    expect(cache.size).toBe(2);
    expect(cache.get("x".repeat(10), 1)).toBeUndefined();
    cache.set("w".repeat(26), 4, 10_000, 0);
    expect(cache.get("w".repeat(26), 1)).toBeUndefined();
  });

  it("matches whole tokens only", () => {
    const cache = new VerifiedTokens<string>(10, 1000);
    cache.set("header.payload.signature", "yes", 10_000, 0);
    expect(cache.get("header.payload.signatur", 1)).toBeUndefined();
    expect(cache.get("header.payload.signaturf", 1)).toBeUndefined();
    expect(cache.get("header.payload.signature", 1)).toBe("yes");
  });
});

describe("the cache of verified tokens, when full", () => {
  it("drops the least recently used entry, a hit counting as a use", () => {
    const cache = new VerifiedTokens<number>(3, 1000);
    cache.set("t.a.s", 1, 10_000, 0);
    cache.set("t.b.s", 2, 10_000, 0);
    cache.set("t.c.s", 3, 10_000, 0);
    expect(cache.get("t.a.s", 1)).toBe(1);
    cache.set("t.d.s", 4, 10_000, 0);
    expect(cache.get("t.a.s", 1)).toBe(1);
    expect(cache.get("t.b.s", 1)).toBeUndefined();
    expect(cache.size).toBe(3);
  });
});
