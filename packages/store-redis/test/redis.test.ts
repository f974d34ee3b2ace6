/**
 * The Redis store on the machine's Redis: the session-side conformance suite under a random key
 * prefix, then what is particular to Redis: expiring indexes, corrupt data, bad options.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import type { SessionRecord, SessionSideStore } from "@entrance/core";
import { sessionSideContract } from "@entrance/store-conformance";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openRedisStore } from "../src/index.js";
import { keyLayout } from "../src/keys.js";
import {
  adminClient,
  deletePrefix,
  describeWithRedis,
  REDIS_URL,
  randomPrefix,
} from "./support/shared-redis.js";

describeWithRedis("Redis store", () => {
  const keyPrefix = randomPrefix();
  sessionSideContract(
    "Redis store",
    () => openRedisStore({ url: REDIS_URL, keyPrefix }),
    () => deletePrefix(keyPrefix),
    { clock: "real" },
  );
});

describeWithRedis("Redis store: keys, corrupt data and options", () => {
  const keyPrefix = randomPrefix();
  const keys = keyLayout(keyPrefix);
  let store: SessionSideStore;
  let redis: Redis;
  beforeAll(async () => {
    store = await openRedisStore({ url: REDIS_URL, keyPrefix });
    redis = adminClient();
  });
  afterAll(async () => {
    await store.close();
    redis.disconnect();
    await deletePrefix(keyPrefix);
  });

  const session = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
    idHash: randomBytes(32).toString("base64url"),
    tenantId: randomUUID(),
    objectId: randomUUID(),
    sid: randomUUID(),
    createdAt: new Date(),
    lastSeenAt: new Date(),
    idleExpiresAt: new Date(Date.now() + 3_600_000),
    absoluteExpiresAt: new Date(Date.now() + 86_400_000),
    ...{ ip: "192.0.2.1", userAgent: "test" },
    ...overrides,
  });

  it("every key expires: sessions at idle expiry, indexes and transactions with their last entry, locks with the lock", async () => {
    const s = session();
    await store.sessions.create(s);
    const ttl = (key: string) => redis.pttl(key);
    const idle = s.idleExpiresAt.getTime() - Date.now();
    const absolute = s.absoluteExpiresAt.getTime() - Date.now();
    expect(await ttl(keys.session(s.idHash))).toBeGreaterThan(idle - 60_000);
    expect(await ttl(keys.session(s.idHash))).toBeLessThanOrEqual(idle);
    for (const index of [
      keys.userSessions(s.tenantId, s.objectId),
      keys.sidSessions(s.sid ?? ""),
    ]) {
      expect(await ttl(index)).toBeGreaterThan(absolute - 60_000);
      expect(await ttl(index)).toBeLessThanOrEqual(absolute);
    }

    const owner = { id: randomUUID(), maxPending: 3 };
    await store.transactions.put("state", "value", 600, owner);
    const { values, expiries } = keys.ownerTransactions(owner.id);
    for (const key of [values, expiries, keys.pendingTransactions()]) {
      expect(await ttl(key)).toBeGreaterThan(500_000);
      expect(await ttl(key)).toBeLessThanOrEqual(600_000);
    }
    const release = await store.locks?.acquire("refresh", 30);
    expect(await ttl(keys.lock("refresh"))).toBeGreaterThan(20_000);
    expect(await ttl(keys.lock("refresh"))).toBeLessThanOrEqual(30_000);
    await release?.();
    expect(await redis.exists(keys.lock("refresh"))).toBe(0);
  });

  it("ending a user's sessions removes their index; a taken transaction leaves no key behind", async () => {
    const s = session();
    await store.sessions.create(s);
    expect(await store.sessions.deleteByUser(s.tenantId, s.objectId)).toBe(1);
    expect(await redis.exists(keys.userSessions(s.tenantId, s.objectId))).toBe(0);
    expect(await redis.exists(keys.sidSessions(s.sid ?? ""))).toBe(0);

    const owner = { id: randomUUID(), maxPending: 3 };
    await store.transactions.put("state", "value", 600, owner);
    expect(await store.transactions.take("state", owner.id)).toBe("value");
    const { values, expiries } = keys.ownerTransactions(owner.id);
    expect(await redis.exists(values, expiries)).toBe(0);
  });

  it("an index entry naming another user's session ends nothing and lists nothing", async () => {
    const alice = session();
    const mallory = session();
    await store.sessions.create(alice);
    await store.sessions.create(mallory);
    const malloryIndex = keys.userSessions(mallory.tenantId, mallory.objectId);
    await redis.zadd(malloryIndex, alice.absoluteExpiresAt.getTime(), alice.idHash);
    await redis.zadd(keys.sidSessions(mallory.sid ?? ""), Date.now() + 60_000, alice.idHash);

    expect(await store.sessions.listByUser(mallory.tenantId, mallory.objectId)).toStrictEqual([
      mallory,
    ]);
    expect(await store.sessions.deleteBySid(mallory.sid ?? "")).toStrictEqual([
      { tenantId: mallory.tenantId, objectId: mallory.objectId },
    ]);
    expect(await store.sessions.deleteByUser(mallory.tenantId, mallory.objectId)).toBe(0);
    expect(await store.sessions.get(alice.idHash)).toStrictEqual(alice);
    expect(await redis.zscore(malloryIndex, alice.idHash)).toBeNull();
  });

  it("a session key holding another type gives a clear error, and the store goes on", async () => {
    const idHash = randomBytes(32).toString("base64url");
    await redis.set(keys.session(idHash), "not a hash", "EX", 600);
    await expect(store.sessions.get(idHash)).rejects.toThrow(
      /^Corrupt data in Redis at ".*": the key holds another type of value than the store writes/,
    );
    await expect(store.sessions.delete(idHash)).rejects.toThrow(/Corrupt data in Redis/);
    const fine = session();
    await store.sessions.create(fine);
    expect(await store.sessions.get(fine.idHash)).toStrictEqual(fine);
  });

  it("a session hash with a missing or garbled field gives an error naming the field", async () => {
    const s = session();
    await store.sessions.create(s);
    await redis.hset(keys.session(s.idHash), "c", "yesterday");
    await expect(store.sessions.get(s.idHash)).rejects.toThrow(
      /Corrupt data in Redis.*createdAt is not an integer of epoch milliseconds/,
    );
    await expect(store.sessions.listByUser(s.tenantId, s.objectId)).rejects.toThrow(/createdAt/);
    await redis.hdel(keys.session(s.idHash), "t");
    await expect(store.sessions.get(s.idHash)).rejects.toThrow(/the session has no tenantId/);
    // Its user's other sessions, and its end, still work.
    await expect(store.sessions.delete(s.idHash)).resolves.toBeUndefined();
    expect(await store.sessions.get(s.idHash)).toBeNull();
  });

  it("a garbled absolute expiry does not stop a touch from moving the idle expiry", async () => {
    const s = session();
    await store.sessions.create(s);
    await redis.hset(keys.session(s.idHash), "a", "soon");
    const idle = new Date(Date.now() + 120_000);
    await store.sessions.touch(s.idHash, new Date(), idle);
    const ttl = await redis.pttl(keys.session(s.idHash));
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it("reads a token partition written before indexes (a string) until its next put makes it a hash", async () => {
    const data = randomBytes(6000);
    await redis.set(keys.tokens("before-indexes"), data);
    expect(await store.tokens.getIndex("before-indexes")).toBeNull();
    expect(Buffer.from((await store.tokens.get("before-indexes")) ?? [])).toStrictEqual(data);
    const index = randomBytes(200);
    await store.tokens.put("before-indexes", data, index);
    expect(await redis.type(keys.tokens("before-indexes"))).toBe("hash");
    expect(Buffer.from((await store.tokens.getIndex("before-indexes")) ?? [])).toStrictEqual(index);
    expect(Buffer.from((await store.tokens.get("before-indexes")) ?? [])).toStrictEqual(data);
    await store.tokens.delete("before-indexes");
    expect(await redis.exists(keys.tokens("before-indexes"))).toBe(0);
  });

  it("token and transaction keys holding another type give clear errors", async () => {
    await redis.hset(keys.tokens("partition"), "f", "v");
    await expect(store.tokens.get("partition")).rejects.toThrow(/Corrupt data in Redis/);
    await redis.del(keys.tokens("partition"));
    await redis.rpush(keys.tokens("partition"), "v");
    await expect(store.tokens.get("partition")).rejects.toThrow(/Corrupt data in Redis/);
    expect(await store.tokens.getIndex("partition")).toBeNull();
    const owner = randomUUID();
    await redis.set(keys.ownerTransactions(owner).values, "garbage", "EX", 600);
    await expect(store.transactions.take("state", owner)).rejects.toThrow(/Corrupt data in Redis/);
    await expect(
      store.transactions.put("state", "v", 600, { id: owner, maxPending: 2 }),
    ).rejects.toThrow(/Corrupt data in Redis/);
  });

  it("rejects options that cannot work, naming the fix, without echoing a URL", async () => {
    const secretUrl = "redis://user:hunter2secret@127.0.0.1:1";
    await expect(openRedisStore({})).rejects.toThrow(/give either `url`.*or `cluster`/);
    await expect(openRedisStore({ url: secretUrl, cluster: [secretUrl] })).rejects.toThrow(
      TypeError,
    );
    await expect(openRedisStore({ url: "http://hunter2secret@example" })).rejects.toThrow(
      /`url` must be a redis:\/\/ or rediss:\/\/ URL/,
    );
    await expect(openRedisStore({ url: REDIS_URL, keyPrefix: "{app}" })).rejects.toThrow(
      /`keyPrefix` may hold only/,
    );
    await expect(openRedisStore({ cluster: [] })).rejects.toThrow(/at least one node URL/);
    const failure = await openRedisStore({ url: "http://hunter2secret@example" }).catch(
      (error: Error) => error,
    );
    expect(String(failure)).not.toContain("hunter2secret");
  });

  it("an unreachable server fails the open with a clear error, within the open timeout", async () => {
    const failure = await openRedisStore({
      url: `redis://user:hunter2secret@127.0.0.1:${await closedPort()}`,
      openTimeoutMs: 3_000,
    }).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure)).toMatch(/^Error: Could not open the Redis store: /);
    expect(String(failure)).not.toContain("hunter2secret");
  });
});

/** A port with no server (the kernel gave it to us and we let it go). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
