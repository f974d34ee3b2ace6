/**
 * The TokenStore contract: opaque encrypted bytes per partition, its data and its optional index,
 * returned byte for byte; the index read alone; both parts replaced and removed together.
 */
import { randomBytes } from "node:crypto";
import type { SessionSideStore } from "@entrance/core";
import { expect, it } from "vitest";
import { type ConformanceContext, expectBytes, UNICODE_SAMPLES, unique } from "../context.js";

/** Every byte value, twice, in an order that is not sorted. */
function allByteValues(): Uint8Array {
  const bytes = new Uint8Array(512);
  for (let i = 0; i < 256; i += 1) {
    bytes[i] = i;
    bytes[511 - i] = (i * 7 + 3) % 256;
  }
  return bytes;
}

/** Defines the TokenStore tests. */
export function tokenContract(ctx: ConformanceContext<SessionSideStore>): void {
  it("get of an absent partition is null", async () => {
    expect(await ctx.store().tokens.get(unique("absent"))).toBeNull();
  });

  it("round-trips all 256 byte values, NUL and high bytes included", async () => {
    const partition = unique("bytes");
    const data = allByteValues();
    await ctx.store().tokens.put(partition, data);
    expectBytes(await ctx.store().tokens.get(partition), data);
  });

  it("round-trips a 1 MiB blob", async () => {
    const partition = unique("large");
    const data = new Uint8Array(randomBytes(1024 * 1024));
    await ctx.store().tokens.put(partition, data);
    expectBytes(await ctx.store().tokens.get(partition), data);
  });

  it("round-trips an empty blob as empty, not as absent", async () => {
    const partition = unique("empty");
    await ctx.store().tokens.put(partition, new Uint8Array());
    expectBytes(await ctx.store().tokens.get(partition), new Uint8Array());
  });

  it("stores exactly the bytes of a view, not its whole underlying buffer", async () => {
    const partition = unique("view");
    const backing = Buffer.from(allByteValues());
    const view = backing.subarray(100, 140);
    await ctx.store().tokens.put(partition, view);
    expectBytes(await ctx.store().tokens.get(partition), backing.subarray(100, 140));
  });

  it("put overwrites the partition", async () => {
    const partition = unique("overwrite");
    await ctx.store().tokens.put(partition, randomBytes(2048));
    const newer = new Uint8Array(randomBytes(16));
    await ctx.store().tokens.put(partition, newer);
    expectBytes(await ctx.store().tokens.get(partition), newer);
  });

  it("keeps partitions apart, Unicode names included", async () => {
    const partitions = UNICODE_SAMPLES.map((text) => unique(text));
    const blobs = partitions.map(() => new Uint8Array(randomBytes(64)));
    for (const [i, partition] of partitions.entries()) {
      await ctx.store().tokens.put(partition, blobs[i] ?? new Uint8Array());
    }
    for (const [i, partition] of partitions.entries()) {
      expectBytes(await ctx.store().tokens.get(partition), blobs[i] ?? new Uint8Array());
    }
  });

  it("delete removes the partition; deleting an absent one is not an error", async () => {
    const partition = unique("delete");
    const other = unique("delete-other");
    await ctx.store().tokens.put(partition, randomBytes(32));
    await ctx.store().tokens.put(other, randomBytes(32));
    await ctx.store().tokens.delete(partition);
    expect(await ctx.store().tokens.get(partition)).toBeNull();
    expect(await ctx.store().tokens.get(other)).not.toBeNull();
    await expect(ctx.store().tokens.delete(partition)).resolves.toBeUndefined();
  });

  it("copies bytes in and out: callers cannot change what is stored", async () => {
    const partition = unique("copies");
    const data = new Uint8Array([1, 2, 3, 4]);
    await ctx.store().tokens.put(partition, data);
    data.fill(0);
    const stored = await ctx.store().tokens.get(partition);
    stored?.fill(9);
    expectBytes(await ctx.store().tokens.get(partition), new Uint8Array([1, 2, 3, 4]));
  });

  it("getIndex of an absent partition is null", async () => {
    expect(await ctx.store().tokens.getIndex(unique("absent-index"))).toBeNull();
  });

  it("put with an index: getIndex gives the index and get the data, byte for byte", async () => {
    const partition = unique("indexed");
    const data = new Uint8Array(randomBytes(8 * 1024));
    const index = allByteValues();
    await ctx.store().tokens.put(partition, data, index);
    expectBytes(await ctx.store().tokens.getIndex(partition), index);
    expectBytes(await ctx.store().tokens.get(partition), data);
  });

  it("an empty index is kept as empty, not as absent", async () => {
    const partition = unique("empty-index");
    await ctx.store().tokens.put(partition, new Uint8Array([1]), new Uint8Array());
    expectBytes(await ctx.store().tokens.getIndex(partition), new Uint8Array());
  });

  it("a partition put without an index (as before indexes) has data and no index", async () => {
    const partition = unique("unindexed");
    const data = new Uint8Array(randomBytes(2048));
    await ctx.store().tokens.put(partition, data);
    expect(await ctx.store().tokens.getIndex(partition)).toBeNull();
    expectBytes(await ctx.store().tokens.get(partition), data);
  });

  it("a put replaces both parts: a new index, or none when the put has none", async () => {
    const partition = unique("replace-both");
    await ctx.store().tokens.put(partition, randomBytes(4096), randomBytes(300));
    const data = new Uint8Array(randomBytes(5000));
    const index = new Uint8Array(randomBytes(200));
    await ctx.store().tokens.put(partition, data, index);
    expectBytes(await ctx.store().tokens.getIndex(partition), index);
    expectBytes(await ctx.store().tokens.get(partition), data);
    const unindexed = new Uint8Array(randomBytes(64));
    await ctx.store().tokens.put(partition, unindexed);
    expect(await ctx.store().tokens.getIndex(partition)).toBeNull();
    expectBytes(await ctx.store().tokens.get(partition), unindexed);
    await ctx.store().tokens.put(partition, data, index);
    expectBytes(await ctx.store().tokens.getIndex(partition), index);
  });

  it("concurrent puts of one partition leave a pair that was put together", async () => {
    const partition = unique("concurrent");
    const pairs = Array.from({ length: 20 }, (_, i) => ({
      data: new Uint8Array(randomBytes(3000 + i)),
      index: new Uint8Array([i, ...randomBytes(40)]),
    }));
    await Promise.all(pairs.map((p) => ctx.store().tokens.put(partition, p.data, p.index)));
    const index = await ctx.store().tokens.getIndex(partition);
    const data = await ctx.store().tokens.get(partition);
    const pair = pairs[index?.[0] ?? -1];
    expect(pair).toBeDefined();
    expectBytes(index, pair?.index ?? new Uint8Array());
    expectBytes(data, pair?.data ?? new Uint8Array());
  });

  it("delete removes the index with the data", async () => {
    const partition = unique("delete-index");
    await ctx.store().tokens.put(partition, randomBytes(64), randomBytes(16));
    await ctx.store().tokens.delete(partition);
    expect(await ctx.store().tokens.getIndex(partition)).toBeNull();
    expect(await ctx.store().tokens.get(partition)).toBeNull();
  });

  it("copies the index in and out: callers cannot change what is stored", async () => {
    const partition = unique("index-copies");
    const index = new Uint8Array([5, 6, 7]);
    await ctx.store().tokens.put(partition, new Uint8Array([1]), index);
    index.fill(0);
    const stored = await ctx.store().tokens.getIndex(partition);
    stored?.fill(9);
    expectBytes(await ctx.store().tokens.getIndex(partition), new Uint8Array([5, 6, 7]));
  });
}
