/**
 * The AuditStore contract: events come back as appended, with ids in append order and a count;
 * lists are newest first, filtered with AND, paged with a total; prune bounds the log by age and
 * size. The suite's store holds other tests' events too, so each test filters by a tenant id or a
 * detail tag of its own — except the prune tests, which come last because they remove others'.
 */
import { randomUUID } from "node:crypto";
import type { AuditEvent, AuditEventType, AuditStore, DirectoryStore } from "@entrance/core";
import { expect, it } from "vitest";
import { type ConformanceContext, UNICODE_SAMPLES, unique } from "../context.js";

type NewEvent = Parameters<AuditStore["append"]>[0];
type Filter = Parameters<AuditStore["list"]>[0];

/** A full event with every field set; override what the test is about. */
function makeEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    at: new Date("2025-04-05T06:07:08.009Z"),
    type: "user_disabled",
    tenantId: randomUUID(),
    objectId: randomUUID(),
    actor: { tenantId: randomUUID(), objectId: randomUUID(), name: "Megan Bowen" },
    detail: "disabled by an administrator",
    aadsts: null,
    ip: "203.0.113.7",
    ...overrides,
  };
}

/** The event as a store returns it: with its id, and count 1 unless the event gave one. */
function asStored(event: NewEvent, id: string): AuditEvent {
  return { ...event, id, count: event.count ?? 1 };
}

/** Defines the AuditStore tests. */
export function auditContract(ctx: ConformanceContext<DirectoryStore>): void {
  const audit = () => ctx.store().audit;
  const list = (filter: Filter) => audit().list(filter);

  /** Appends the events one after another (so their order is the append order). */
  async function appended(events: NewEvent[]): Promise<AuditEvent[]> {
    const stored: AuditEvent[] = [];
    for (const event of events) stored.push(await audit().append(event));
    return stored;
  }

  it("append returns the event with an id, and list returns it field for field", async () => {
    const event = makeEvent({ type: "sign_in_failed", aadsts: 50105, detail: "not assigned" });
    const stored = await audit().append(event);
    expect(stored).toStrictEqual(asStored(event, stored.id));
    expect(stored.count).toBe(1);
    expect(stored.id).toBeTypeOf("string");
    expect(stored.at).toBeInstanceOf(Date);
    expect(await list({ tenantId: event.tenantId ?? "", limit: 10, offset: 0 })).toStrictEqual({
      events: [stored],
      total: 1,
    });
  });

  it("round-trips nulls and dates to the millisecond, from the epoch to far future", async () => {
    const tag = unique("nulls");
    const [sparse, epoch, future] = await appended([
      makeEvent({ detail: tag, tenantId: null, objectId: null, actor: null, ip: null }),
      makeEvent({
        detail: tag,
        at: new Date(0),
        actor: { tenantId: "t", objectId: "o", name: null },
      }),
      makeEvent({ detail: tag, at: new Date("2199-12-31T23:59:59.999Z"), aadsts: 0 }),
    ]);
    expect(sparse?.tenantId).toBeNull();
    const found = await list({ query: tag, limit: 10, offset: 0 });
    expect(found).toStrictEqual({ events: [future, sparse, epoch], total: 3 });
    expect(found.events[0]?.at.toISOString()).toBe("2199-12-31T23:59:59.999Z");
    expect(found.events[2]?.at.getTime()).toBe(0);
  });

  it("assigns unique ids that grow with each append", async () => {
    const tenantId = randomUUID();
    const stored = await appended(
      Array.from({ length: 20 }, (_, i) => makeEvent({ tenantId, at: new Date(20_000 - i) })),
    );
    const ids = stored.map((event) => BigInt(event.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i += 1) {
      expect((ids[i] ?? 0n) > (ids[i - 1] ?? 0n), `id ${i} grows`).toBe(true);
    }
  });

  it("lists newest first; events of one millisecond newest-appended first", async () => {
    const tenantId = randomUUID();
    const time = Date.parse("2025-08-09T10:11:12.013Z");
    const [first, later, earlier, second, third] = await appended([
      makeEvent({ tenantId, at: new Date(time), detail: "first" }),
      makeEvent({ tenantId, at: new Date(time + 5), detail: "later" }),
      makeEvent({ tenantId, at: new Date(time - 5), detail: "earlier" }),
      makeEvent({ tenantId, at: new Date(time), detail: "second" }),
      makeEvent({ tenantId, at: new Date(time), detail: "third" }),
    ]);
    const found = await list({ tenantId, limit: 10, offset: 0 });
    expect(found.events).toStrictEqual([later, third, second, first, earlier]);
  });

  it("filters by type, tenant id, object id and query, combined with AND", async () => {
    const tag = unique("filters");
    const [tenantA, tenantB, objectA, objectB] = [randomUUID(), randomUUID(), randomUUID(), "o"];
    const event = (type: AuditEventType, tenantId: string, objectId: string, detail: string) =>
      makeEvent({ type, tenantId, objectId, detail: `${detail} ${tag}` });
    const [inA, outA, inA2, inB, otherB] = await appended([
      event("sign_in", tenantA, objectA, "Signed in"),
      event("sign_out", tenantA, objectA, "Signed out"),
      event("sign_in", tenantA, objectB, "Signed in again"),
      event("sign_in", tenantB, objectA, "Signed in elsewhere"),
      event("session_ended", tenantB, objectB, "Session ended"),
    ]);
    const find = async (filter: Omit<Filter, "limit" | "offset">) =>
      (await list({ ...filter, limit: 500, offset: 0 })).events;

    expect(await find({ tenantId: tenantA })).toStrictEqual([inA2, outA, inA]);
    expect(await find({ tenantId: tenantA, objectId: objectA })).toStrictEqual([outA, inA]);
    expect(await find({ objectId: objectA })).toStrictEqual([inB, outA, inA]);
    expect(await find({ tenantId: tenantB, type: "sign_in" })).toStrictEqual([inB]);
    expect(await find({ query: tag })).toStrictEqual([otherB, inB, inA2, outA, inA]);
    expect(await find({ query: `SIGNED IN ${tag.toUpperCase()}` })).toStrictEqual([inA]);
    expect(await find({ query: `signed in`, tenantId: tenantA })).toStrictEqual([inA2, inA]);
    expect(await find({ query: tag, type: "sign_out" })).toStrictEqual([outA]);
    expect(
      await find({ query: "Signed", type: "sign_in", tenantId: tenantB, objectId: objectA }),
    ).toStrictEqual([inB]);
    expect(await find({ tenantId: tenantA, type: "user_enabled" })).toStrictEqual([]);

    // By type alone: only that type, ours among them.
    const ended = await find({ type: "session_ended" });
    expect(ended).toContainEqual(otherB);
    expect(ended.every((found) => found.type === "session_ended")).toBe(true);
  });

  it("pages through the matches, each page with the total of all of them", async () => {
    const tenantId = randomUUID();
    const stored = await appended(
      Array.from({ length: 7 }, (_, i) =>
        makeEvent({ tenantId, at: new Date(Date.UTC(2025, 0, 1, i % 3)), detail: `event ${i}` }),
      ),
    );
    // Newest first, and within one millisecond the newest appended first.
    const all = stored
      .map((event, index) => ({ event, index }))
      .sort((a, b) => b.event.at.getTime() - a.event.at.getTime() || b.index - a.index)
      .map(({ event }) => event);
    expect(await list({ tenantId, limit: 500, offset: 0 })).toStrictEqual({
      events: all,
      total: 7,
    });
    const pages = await Promise.all(
      [0, 3, 6].map((offset) => list({ tenantId, limit: 3, offset })),
    );
    expect(pages.map((page) => page.total)).toStrictEqual([7, 7, 7]);
    expect(pages.flatMap((page) => page.events)).toStrictEqual(all);
    expect(await list({ tenantId, limit: 10, offset: 7 })).toStrictEqual({ events: [], total: 7 });
  });

  it("takes the query as literal text: %, _ and \\ match only themselves", async () => {
    const tag = unique("literal");
    const [percent, , underscore, , backslash] = await appended([
      makeEvent({ detail: `${tag} 100%` }),
      makeEvent({ detail: `${tag} 1000` }),
      makeEvent({ detail: `${tag} a_c` }),
      makeEvent({ detail: `${tag} abc` }),
      makeEvent({ detail: `${tag} \\x` }),
      makeEvent({ detail: `${tag} x` }),
    ]);
    const find = async (query: string) => (await list({ query, limit: 500, offset: 0 })).events;
    expect(await find(`${tag} 100%`)).toStrictEqual([percent]);
    expect(await find(`${tag} a_c`)).toStrictEqual([underscore]);
    expect(await find(`${tag} \\x`)).toStrictEqual([backslash]);
    expect(await find(`${tag} %`)).toStrictEqual([]);
    expect(await find(`${tag} _`)).toStrictEqual([]);

    // Alone, "%" finds the events whose detail has a percent sign, not every event.
    const withPercent = await find("%");
    expect(withPercent).toContainEqual(percent);
    expect(withPercent.every((event) => event.detail.includes("%"))).toBe(true);
  });

  it("round-trips Unicode and JSON-hostile text in every string field, and finds it", async () => {
    for (const text of UNICODE_SAMPLES) {
      const tag = unique("unicode");
      const event = makeEvent({
        tenantId: `${tag} ${text}`,
        objectId: text,
        actor: { tenantId: text, objectId: `${text} 2`, name: text },
        detail: `${tag} ${text}`,
        ip: text,
      });
      const stored = await audit().append(event);
      expect(stored).toStrictEqual(asStored(event, stored.id));
      const byTenant = await list({ tenantId: `${tag} ${text}`, limit: 10, offset: 0 });
      expect(byTenant).toStrictEqual({ events: [stored], total: 1 });
      const byQuery = await list({ query: `${tag} ${text}`, limit: 10, offset: 0 });
      expect(byQuery).toStrictEqual({ events: [stored], total: 1 });
    }
  });

  it("copies events in and out: callers cannot change what is stored", async () => {
    const at = new Date("2025-01-01T00:00:00.000Z");
    const actor = { tenantId: "t", objectId: "o", name: "Admin" };
    const event = makeEvent({ at, actor });
    const stored = await audit().append(event);
    at.setTime(0);
    actor.name = "Injected";
    stored.at.setTime(0);
    (stored.actor as { name: string | null }).name = "Injected";

    const [listed] = (await list({ tenantId: event.tenantId ?? "", limit: 1, offset: 0 })).events;
    expect(listed?.at.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(listed?.actor?.name).toBe("Admin");
    listed?.at.setTime(0);
    const [again] = (await list({ tenantId: event.tenantId ?? "", limit: 1, offset: 0 })).events;
    expect(again?.at.toISOString()).toBe("2025-01-01T00:00:00.000Z");
  });

  it("rejects an invalid Date, a fractional AADSTS code or an unknown type, storing nothing", async () => {
    const tenantId = randomUUID();
    await expect(audit().append(makeEvent({ tenantId, at: new Date(Number.NaN) }))).rejects.toThrow(
      TypeError,
    );
    await expect(audit().append(makeEvent({ tenantId, aadsts: 1.5 }))).rejects.toThrow(TypeError);
    const unknown = makeEvent({ tenantId, type: "sign_up" as AuditEventType });
    await expect(audit().append(unknown)).rejects.toThrow(TypeError);
    expect(await list({ tenantId, limit: 10, offset: 0 })).toStrictEqual({ events: [], total: 0 });
  });

  it("rejects a limit outside 1..500 or an offset below 0 with a RangeError", async () => {
    for (const limit of [0, -1, 501, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(list({ limit, offset: 0 }), `limit ${limit}`).rejects.toThrow(RangeError);
    }
    for (const offset of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(list({ limit: 1, offset }), `offset ${offset}`).rejects.toThrow(RangeError);
    }
    const tenantId = randomUUID();
    await appended([makeEvent({ tenantId }), makeEvent({ tenantId })]);
    expect((await list({ tenantId, limit: 1, offset: 0 })).events).toHaveLength(1);
    expect((await list({ tenantId, limit: 500, offset: 0 })).total).toBe(2);
  });

  it("append stores the count given, and lists return it", async () => {
    const tenantId = randomUUID();
    const stored = await audit().append(makeEvent({ tenantId, count: 42 }));
    expect(stored.count).toBe(42);
    expect((await list({ tenantId, limit: 1, offset: 0 })).events).toStrictEqual([stored]);
  });

  it("append rejects a count that is not a whole number ≥ 1, storing nothing", async () => {
    const tenantId = randomUUID();
    for (const count of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(
        audit().append(makeEvent({ tenantId, count })),
        `count ${count}`,
      ).rejects.toThrow(RangeError);
    }
    expect((await list({ tenantId, limit: 1, offset: 0 })).total).toBe(0);
  });

  it("addCount adds to one event's count, and concurrent adds all count", async () => {
    const tenantId = randomUUID();
    const [folded, other] = await appended([makeEvent({ tenantId }), makeEvent({ tenantId })]);
    const id = folded?.id ?? "";
    expect(await audit().addCount(id, 5)).toBe(true);
    const adds = await Promise.all(Array.from({ length: 10 }, () => audit().addCount(id, 1)));
    expect(adds.every(Boolean)).toBe(true);
    const { events } = await list({ tenantId, limit: 10, offset: 0 });
    expect(events.map((event) => [event.id, event.count])).toStrictEqual([
      [other?.id, 1],
      [id, 16],
    ]);
  });

  it("addCount of an id that names no event is false", async () => {
    const [stored] = await appended([makeEvent()]);
    for (const id of ["999999999999", "0", "-1", "1.5", "", "not an id", "9".repeat(30)]) {
      expect(await audit().addCount(id, 1), `id ${JSON.stringify(id)}`).toBe(false);
    }
    const found = await list({ tenantId: stored?.tenantId ?? "", limit: 1, offset: 0 });
    expect(found.events[0]?.count).toBe(1);
  });

  it("addCount rejects a number to add that is not a whole number ≥ 1", async () => {
    const [stored] = await appended([makeEvent()]);
    for (const by of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(audit().addCount(stored?.id ?? "", by), `by ${by}`).rejects.toThrow(RangeError);
    }
    const found = await list({ tenantId: stored?.tenantId ?? "", limit: 1, offset: 0 });
    expect(found.events[0]?.count).toBe(1);
  });

  // The prune tests come last: pruning by size removes other tests' events too.

  const total = async () => (await list({ limit: 1, offset: 0 })).total;

  it("prune rejects an invalid Date or a keep that is not a whole number ≥ 0, removing nothing", async () => {
    await appended([makeEvent()]);
    const before = await total();
    await expect(audit().prune({ before: new Date(Number.NaN), keep: 0 })).rejects.toThrow(
      TypeError,
    );
    for (const keep of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const prune = audit().prune({ before: new Date(0), keep });
      await expect(prune, `keep ${keep}`).rejects.toThrow(RangeError);
    }
    expect(await total()).toBe(before);
  });

  it("prune removes the events older than before, returns how many, and keeps the rest", async () => {
    // Older than any other test's events, so only this test's go.
    const tag = unique("aged");
    const cutoff = new Date("1900-01-15T00:00:00.000Z");
    const [, , due, recent] = await appended([
      makeEvent({ detail: tag, at: new Date("1900-01-01T00:00:00.000Z") }),
      makeEvent({ detail: tag, at: new Date(cutoff.getTime() - 1) }),
      makeEvent({ detail: tag, at: cutoff }),
      makeEvent({ detail: tag, at: new Date("2025-01-01T00:00:00.000Z") }),
    ]);
    const before = await total();
    expect(await audit().prune({ before: cutoff, keep: Number.MAX_SAFE_INTEGER })).toBe(2);
    expect(await total()).toBe(before - 2);
    expect((await list({ query: tag, limit: 10, offset: 0 })).events).toStrictEqual([recent, due]);
  });

  it("prune keeps the newest `keep` events by id, whatever their time; ids are not reused", async () => {
    const tag = unique("surplus");
    const others = await total();
    // Appended newest-last, but dated oldest-last: only the ids decide.
    const [, second, third] = await appended([
      makeEvent({ detail: tag, at: new Date("2025-03-01T00:00:00.000Z") }),
      makeEvent({ detail: tag, at: new Date("2025-02-01T00:00:00.000Z") }),
      makeEvent({ detail: tag, at: new Date("2025-01-01T00:00:00.000Z") }),
    ]);
    const removed = await audit().prune({ before: new Date(-8.64e15), keep: 2 });
    expect(removed).toBe(others + 1);
    expect(await list({ limit: 10, offset: 0 })).toStrictEqual({
      events: [second, third],
      total: 2,
    });
    expect(await audit().prune({ before: new Date(-8.64e15), keep: 2 })).toBe(0);

    const [next] = await appended([makeEvent({ detail: tag })]);
    expect(BigInt(next?.id ?? 0) > BigInt(third?.id ?? 0)).toBe(true);
    expect(await audit().prune({ before: new Date(-8.64e15), keep: 0 })).toBe(3);
    expect(await total()).toBe(0);
  });
}
