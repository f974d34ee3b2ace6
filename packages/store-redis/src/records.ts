/**
 * Sessions as Redis hashes, and back. Reading checks every field, since anyone with access to the
 * server can write anything there: a corrupt session gives an error that names the key and the
 * field, never a half-read record or a `TypeError` deep inside a sign-in.
 */
import type { SessionRecord } from "@entrance/core";

/** The fields of a session's hash. A null sid, ip or user agent is an absent field. */
const FIELDS = {
  tenantId: "t",
  objectId: "o",
  sid: "s",
  createdAt: "c",
  lastSeenAt: "l",
  idleExpiresAt: "i",
  absoluteExpiresAt: "a",
  ip: "ip",
  userAgent: "ua",
} as const satisfies Record<Exclude<keyof SessionRecord, "idHash">, string>;

/** The error for data in Redis that is not what the store wrote. */
export function corrupt(key: string, problem: string, cause?: unknown): Error {
  return new Error(
    `Corrupt data in Redis at ${JSON.stringify(key)}: ${problem}. Delete the key (the user signs ` +
      "in again) or restore it.",
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Turns a failed read into {@link corrupt} when Redis said the key holds another type
 * (`WRONGTYPE`); any other failure (a lost connection) is rethrown as it is.
 */
export function readFailure(key: string, error: unknown): Error {
  if (error instanceof Error && error.message.startsWith("WRONGTYPE")) {
    return corrupt(key, "the key holds another type of value than the store writes", error);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Epoch milliseconds for a Date, as Redis stores it; an invalid Date is the caller's bug. */
export function millisOf(date: Date, field: string): number {
  const time = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new TypeError(`${field} is not a valid Date`);
  return time;
}

/** The hash fields of a session, as field/value pairs for `HSET`. */
export function sessionFields(session: SessionRecord): string[] {
  const fields: string[] = [];
  const text = (field: string, value: string | null, name: string) => {
    if (value === null) return;
    if (typeof value !== "string") throw new TypeError(`${name} must be a string or null`);
    fields.push(field, value);
  };
  for (const name of ["idHash", "tenantId", "objectId"] as const) {
    if (typeof session[name] !== "string") throw new TypeError(`${name} must be a string`);
  }
  text(FIELDS.tenantId, session.tenantId, "tenantId");
  text(FIELDS.objectId, session.objectId, "objectId");
  text(FIELDS.sid, session.sid, "sid");
  for (const name of ["createdAt", "lastSeenAt", "idleExpiresAt", "absoluteExpiresAt"] as const) {
    fields.push(FIELDS[name], String(millisOf(session[name], name)));
  }
  text(FIELDS.ip, session.ip, "ip");
  text(FIELDS.userAgent, session.userAgent, "userAgent");
  return fields;
}

/** A session from its hash (`HGETALL`), or null for an empty one (the key is absent). */
export function sessionFromHash(
  key: string,
  idHash: string,
  hash: Record<string, string>,
): SessionRecord | null {
  if (Object.keys(hash).length === 0) return null;
  const required = (field: string, name: string) => {
    const value = hash[field];
    if (typeof value !== "string") throw corrupt(key, `the session has no ${name}`);
    return value;
  };
  const optional = (field: string) => hash[field] ?? null;
  const date = (field: string, name: string) => {
    const text = required(field, name);
    const millis = /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(millis) || Math.abs(millis) > 8.64e15) {
      throw corrupt(key, `the session's ${name} is not an integer of epoch milliseconds`);
    }
    return new Date(millis);
  };
  return {
    idHash,
    tenantId: required(FIELDS.tenantId, "tenantId"),
    objectId: required(FIELDS.objectId, "objectId"),
    sid: optional(FIELDS.sid),
    createdAt: date(FIELDS.createdAt, "createdAt"),
    lastSeenAt: date(FIELDS.lastSeenAt, "lastSeenAt"),
    idleExpiresAt: date(FIELDS.idleExpiresAt, "idleExpiresAt"),
    absoluteExpiresAt: date(FIELDS.absoluteExpiresAt, "absoluteExpiresAt"),
    ip: optional(FIELDS.ip),
    userAgent: optional(FIELDS.userAgent),
  };
}
