import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";
import { ownBytes, toBytes } from "../src/rows.js";

describe("ownBytes: a driver's BLOB handed on without a copy only when nothing else is reachable", () => {
  it("views a Buffer that spans its whole memory, as better-sqlite3 returns a BLOB", () => {
    const blob = Buffer.from([1, 2, 3, 4]);
    const owned = Buffer.alloc(blob.length);
    blob.copy(owned);
    const bytes = ownBytes(owned, "t", "c");
    expect(bytes).toStrictEqual(new Uint8Array([1, 2, 3, 4]));
    expect(bytes.buffer).toBe(owned.buffer);
    expect(bytes.buffer.byteLength).toBe(4);
  });

  it("copies a Buffer that is a slice of a larger one (a pool, a packet), as toBytes does", () => {
    const larger = Buffer.from([9, 9, 1, 2, 3, 9]);
    const slice = larger.subarray(2, 5);
    for (const bytes of [ownBytes(slice, "t", "c"), toBytes(slice, "t", "c")]) {
      expect(bytes).toStrictEqual(new Uint8Array([1, 2, 3]));
      expect(bytes.buffer.byteLength).toBe(3);
      larger[2] = 7;
      expect(bytes[0]).toBe(1);
      larger[2] = 1;
    }
  });

  it("refuses what is not bytes, naming the row and column", () => {
    expect(() => ownBytes("text", "entrance_token_partitions (partition x)", "data")).toThrow(
      "Corrupt row in entrance_token_partitions (partition x): column data is not bytes.",
    );
  });
});

describe("SQLite token reads", () => {
  it("answer each part with exactly its bytes, in memory of its own, and null for none", async () => {
    const store = await openSqliteStore({ filename: ":memory:" });
    try {
      const data = new Uint8Array(5000).map((_, i) => i % 251);
      const index = new Uint8Array(1600).map((_, i) => (i * 7) % 253);
      await store.tokens.put("p", data, index);
      await store.tokens.put("old", data);
      const [readData, readIndex] = [await store.tokens.get("p"), await store.tokens.getIndex("p")];
      expect(readData).toStrictEqual(data);
      expect(readIndex).toStrictEqual(index);
      for (const bytes of [readData, readIndex]) {
        expect(bytes?.byteOffset).toBe(0);
        expect(bytes?.buffer.byteLength).toBe(bytes?.byteLength);
      }
      // Two reads never share memory: a caller changing one cannot change the other.
      const again = await store.tokens.getIndex("p");
      expect(again?.buffer).not.toBe(readIndex?.buffer);
      expect(await store.tokens.getIndex("old")).toBeNull();
      expect(await store.tokens.get("none")).toBeNull();
      expect(await store.tokens.getIndex("none")).toBeNull();
    } finally {
      await store.close();
    }
  });
});
