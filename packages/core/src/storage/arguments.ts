/**
 * The argument checks every store makes the same way (memory, SQL, Redis), so that a bad call
 * fails alike whatever the store: a store's bug, never a silently wrong record.
 */
import type { TransactionOwner } from "./types.js";

/** Milliseconds for a TTL in seconds; a TTL that is not a positive finite number is a bug. */
export function ttlMilliseconds(ttlSeconds: number): number {
  if (typeof ttlSeconds !== "number" || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`ttlSeconds must be a positive finite number, got ${String(ttlSeconds)}`);
  }
  return Math.ceil(ttlSeconds * 1000);
}

/** Checks a page's `limit` (1 to 500) and `offset` (≥ 0). */
export function checkPage(limit: number, offset: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) {
    throw new RangeError(`limit must be a whole number from 1 to 500, got ${String(limit)}`);
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a whole number ≥ 0, got ${String(offset)}`);
  }
}

/** An owner's `maxPending` below 1 (or fractional, or NaN) would bound nothing sensible. */
export function checkOwner(owner: TransactionOwner): void {
  if (typeof owner?.id !== "string") {
    throw new TypeError(`owner.id must be a string, got ${String(owner?.id)}`);
  }
  if (!Number.isSafeInteger(owner.maxPending) || owner.maxPending < 1) {
    throw new RangeError(
      `owner.maxPending must be a whole number ≥ 1, got ${String(owner.maxPending)}`,
    );
  }
}
