/** What the parts of the memory store share: the closed-store guard and checks every part makes. */

/** Resolves while the store is open and rejects once it is closed; every operation awaits it. */
export type Guard = () => Promise<void>;

/** A copy of a Date, so that callers cannot change what is stored; an invalid Date is a bug. */
export function copyDate(date: Date, field: string): Date {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new TypeError(`${field} is not a valid Date`);
  return new Date(time);
}

/**
 * A literal, case-insensitive "contains", for `query` filters: a missing or empty query matches
 * everything, and no character is a wildcard.
 */
export function containsQuery(query: string | undefined): (text: string | null) => boolean {
  if (query === undefined || query === "") return () => true;
  const needle = query.toLowerCase();
  return (text) => text?.toLowerCase().includes(needle) === true;
}

/** A collision-free composite key: JSON keeps any separator inside the parts unambiguous. */
export function userKey(tenantId: string, objectId: string): string {
  return JSON.stringify([tenantId, objectId]);
}

export { checkPage, ttlMilliseconds } from "../arguments.js";
