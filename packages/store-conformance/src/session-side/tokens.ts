/** The TokenStore contract: opaque encrypted bytes per partition, returned byte for byte. */
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
}
