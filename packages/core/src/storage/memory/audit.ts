/** The memory store's audit log: bounded, in append order, ids a sequence. */
import type { AuditEvent, AuditStore } from "../types.js";
import { isAuditEventType } from "../types.js";
import { checkPage, containsQuery, copyDate, type Guard } from "./shared.js";

/** A count below 1, fractional or beyond 2^53 is a bug: an event stands for whole occurrences. */
function checkCount(count: number, field: string): number {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`${field} must be a whole number ≥ 1, got ${String(count)}`);
  }
  return count;
}

function copyAuditEvent(event: AuditEvent): AuditEvent {
  if (!isAuditEventType(event.type)) {
    throw new TypeError(`type must be an audit event type, got ${String(event.type)}`);
  }
  if (event.aadsts !== null && !Number.isSafeInteger(event.aadsts)) {
    throw new TypeError(`aadsts must be a whole number or null, got ${String(event.aadsts)}`);
  }
  return {
    id: event.id,
    at: copyDate(event.at, "at"),
    type: event.type,
    tenantId: event.tenantId,
    objectId: event.objectId,
    actor: event.actor && {
      tenantId: event.actor.tenantId,
      objectId: event.actor.objectId,
      name: event.actor.name,
    },
    detail: event.detail,
    aadsts: event.aadsts,
    ip: event.ip,
    count: checkCount(event.count, "count"),
  };
}

/** Where the event with `id` is in `events` (ascending ids), or -1: a binary search. */
function indexOfId(events: readonly AuditEvent[], id: string): number {
  const wanted = /^\d{1,15}$/.test(id) ? Number(id) : Number.NaN;
  let [low, high] = [0, events.length - 1];
  while (low <= high && !Number.isNaN(wanted)) {
    const middle = (low + high) >>> 1;
    const found = Number(events[middle]?.id);
    if (found === wanted) return middle;
    if (found < wanted) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * The audit log, in append order, bounded to the newest `maxEvents` appended. Ids are a sequence,
 * so same-millisecond events sort by when they were appended, and the array is in id order.
 */
export function memoryAudit(open: Guard, maxEvents: number): AuditStore {
  let events: AuditEvent[] = [];
  let sequence = 0;
  return {
    async append(event) {
      await open();
      // Copied (and checked) before the sequence moves, so a rejected event uses up no id.
      const stored = copyAuditEvent({
        ...event,
        id: String(sequence + 1),
        count: event.count ?? 1,
      });
      sequence += 1;
      events.push(stored);
      if (events.length > maxEvents) events.splice(0, events.length - maxEvents);
      return copyAuditEvent(stored);
    },
    async addCount(id, by) {
      await open();
      checkCount(by, "by");
      const index = indexOfId(events, id);
      const event = events[index];
      if (event === undefined) return false;
      events[index] = { ...event, count: checkCount(event.count + by, "count") };
      return true;
    },
    async prune({ before, keep }) {
      await open();
      const cutoff = copyDate(before, "before").getTime();
      if (!Number.isSafeInteger(keep) || keep < 0) {
        throw new RangeError(`keep must be a whole number ≥ 0, got ${String(keep)}`);
      }
      const recent = events.filter((event) => event.at.getTime() >= cutoff);
      // Ids grow along the array, so the newest `keep` by id are its last ones.
      const kept = recent.slice(Math.max(0, recent.length - keep));
      const removed = events.length - kept.length;
      events = kept;
      return removed;
    },
    async list({ type, tenantId, objectId, query, limit, offset }) {
      await open();
      checkPage(limit, offset);
      const matches = containsQuery(query);
      const found: AuditEvent[] = [];
      // Newest appended first; a stable sort by time then keeps that order within a millisecond.
      for (let i = events.length - 1; i >= 0; i -= 1) {
        const event = events[i] as AuditEvent;
        if (type !== undefined && event.type !== type) continue;
        if (tenantId !== undefined && event.tenantId !== tenantId) continue;
        if (objectId !== undefined && event.objectId !== objectId) continue;
        if (matches(event.detail)) found.push(event);
      }
      found.sort((a, b) => b.at.getTime() - a.at.getTime());
      return {
        events: found.slice(offset, offset + limit).map(copyAuditEvent),
        total: found.length,
      };
    },
  };
}
