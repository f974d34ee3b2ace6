/**
 * Conversions between records and rows. Reading checks what SQL cannot (a JSON column holding a
 * list of strings, an integer that is a time) and names the table, key and column when a row is
 * corrupt, instead of letting a bare `SyntaxError` escape from deep inside a sign-in.
 */

/**
 * Identifies a row in error messages, e.g. `entrance_users (tenant_id "…", object_id "…")`. Made
 * for every row read but spelt out only when an error needs it: reading a row is on the path of
 * every signed-in request.
 */
export function rowName(table: string, key: Readonly<Record<string, string>>): RowName {
  return new RowName(table, key);
}

/** A row's name for errors, as text only when one is made (`${name}`). */
export class RowName {
  constructor(
    private readonly table: string,
    private readonly key: Readonly<Record<string, string>>,
  ) {}

  toString(): string {
    const parts = Object.entries(this.key).map(
      ([column, value]) => `${column} ${JSON.stringify(value)}`,
    );
    return `${this.table} (${parts.join(", ")})`;
  }
}

/** What the readers below name a row by: its {@link RowName} or any text. */
export type RowRef = RowName | string;

/** The error for a column whose value is not what the schema promises. */
export function corrupt(row: RowRef, column: string, expected: string, cause?: unknown): Error {
  return new Error(
    `Corrupt row in ${row}: column ${column} is not ${expected}. Repair or delete the row.`,
    cause === undefined ? undefined : { cause },
  );
}

/** Epoch milliseconds for a Date; an invalid Date is the caller's bug. */
export function toMillis(date: Date, field: string): number {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new TypeError(`${field} is not a valid Date`);
  return time;
}

/** The number a stored integer holds (pg gives `bigint` columns as strings); NaN if none. */
function integerOf(value: unknown): number {
  if (typeof value === "number" || typeof value === "bigint") return Number(value);
  return typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
}

/** A Date from a stored integer of epoch milliseconds. */
export function toDate(value: unknown, row: RowRef, column: string): Date {
  const millis = integerOf(value);
  if (!Number.isSafeInteger(millis) || Math.abs(millis) > 8.64e15) {
    throw corrupt(row, column, "an integer of epoch milliseconds");
  }
  return new Date(millis);
}

/** A boolean from the stored integer 0 or 1. */
export function toFlag(value: unknown, row: RowRef, column: string): boolean {
  if (value === 0 || value === "0" || value === false) return false;
  if (value === 1 || value === "1" || value === true) return true;
  throw corrupt(row, column, "0 or 1");
}

/** A list of strings from its JSON text. */
export function toStringList(value: unknown, row: RowRef, column: string): string[] {
  let parsed: unknown;
  try {
    parsed = typeof value === "string" ? JSON.parse(value) : undefined;
  } catch (error) {
    throw corrupt(row, column, "valid JSON", error);
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw corrupt(row, column, "a JSON array of strings");
  }
  return parsed;
}

/** Text, for a column that cannot be null. */
export function toText(value: unknown, row: RowRef, column: string): string {
  if (typeof value !== "string") throw corrupt(row, column, "text");
  return value;
}

/** Text, or null, for a column that allows null. */
export function toNullableText(value: unknown, row: RowRef, column: string): string | null {
  return value === null ? null : toText(value, row, column);
}

/**
 * A plain Uint8Array copy of the driver's Buffer: a Buffer can be a view into a shared pool, and
 * callers should get exactly the bytes, with no way to reach memory beyond them.
 */
export function toBytes(value: unknown, row: RowRef, column: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw corrupt(row, column, "bytes");
  return new Uint8Array(value);
}

/**
 * The driver's bytes without a copy, when its Buffer spans the whole of its memory (better-sqlite3
 * copies each BLOB into a Buffer of its own, never reused): a Uint8Array view of exactly them,
 * which reaches nothing else. A Buffer that is a slice of a larger one (a pool, a packet) is
 * copied as {@link toBytes} does. A token hit reads a blob of a kilobyte or two per call.
 */
export function ownBytes(value: unknown, row: RowRef, column: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw corrupt(row, column, "bytes");
  return value.byteOffset === 0 && value.byteLength === value.buffer.byteLength
    ? new Uint8Array(value.buffer, 0, value.byteLength)
    : new Uint8Array(value);
}

/** The bytes as a Buffer view (no copy), which both drivers bind as a BLOB / bytea. */
export function fromBytes(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** An integer, or null, for a column that allows null (e.g. an AADSTS code). */
export function toNullableInteger(value: unknown, row: RowRef, column: string): number | null {
  if (value === null) return null;
  const number = integerOf(value);
  if (!Number.isSafeInteger(number)) throw corrupt(row, column, "an integer");
  return number;
}

/** A JSON object from its text, for a column that holds one. */
export function toJsonObject(value: unknown, row: RowRef, column: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = typeof value === "string" ? JSON.parse(value) : undefined;
  } catch (error) {
    throw corrupt(row, column, "valid JSON", error);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw corrupt(row, column, "a JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** An audit event's count: a whole number ≥ 1 (pg gives `bigint` columns as strings). */
export function toCount(value: unknown, row: RowRef, column: string): number {
  const number = integerOf(value);
  if (!Number.isSafeInteger(number) || number < 1) throw corrupt(row, column, "an integer ≥ 1");
  return number;
}

export { checkPage, ttlMilliseconds } from "@entrance/core";
