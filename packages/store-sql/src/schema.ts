/**
 * The tables, as Kysely sees them. Column types are what both dialects return: epoch
 * milliseconds are integers in SQLite and `bigint` in PostgreSQL (which pg returns as strings);
 * booleans are 0/1 integers; lists are JSON text.
 */
import type { ColumnType, Generated } from "kysely";

/** Epoch milliseconds: written as a number, read as whatever the driver gives for an integer. */
type Millis = ColumnType<number | string | bigint, number, number>;
/** A boolean stored as the integer 0 or 1 (SQLite has no boolean type). */
type Flag = ColumnType<number | string | boolean, number, number>;
/** A nullable integer (epoch milliseconds, a code), read as whatever the driver gives. */
type NullableInteger = ColumnType<number | string | bigint | null, number | null, number | null>;
/** An integer the database defaults when an insert leaves it out (e.g. an audit event's count). */
type DefaultedInteger = ColumnType<number | string | bigint, number | undefined, number>;
/** Bytes: a BLOB in SQLite, `bytea` in PostgreSQL; both drivers return a Buffer. */
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

/** `entrance_users`: one row per (tenant, object id). */
export interface UsersTable {
  tenant_id: string;
  object_id: string;
  /** `member`, `guest`, `personal` or `customer` (see `AccountKind`); `member` for rows written before 0005. */
  account_kind: Generated<string>;
  display_name: string | null;
  username: string | null;
  mail: string | null;
  /** JSON array of strings. */
  roles: string;
  /** JSON array of strings. */
  groups: string;
  groups_overage: Flag;
  first_sign_in_at: Millis;
  last_sign_in_at: Millis;
  disabled: Flag;
  /** JSON array of strings, or null when never resolved (then `resolved_groups_at` is null too). */
  resolved_groups: string | null;
  /** Epoch milliseconds of the resolution, or null. */
  resolved_groups_at: NullableInteger;
}

/** `entrance_sessions`: one row per session, keyed by the hash of its cookie. */
export interface SessionsTable {
  id_hash: string;
  tenant_id: string;
  object_id: string;
  sid: string | null;
  created_at: Millis;
  last_seen_at: Millis;
  idle_expires_at: Millis;
  absolute_expires_at: Millis;
  ip: string | null;
  user_agent: string | null;
}

/** `entrance_token_partitions`: one encrypted MSAL cache per user. */
export interface TokenPartitionsTable {
  partition: string;
  /**
   * The encrypted access-token index a cache hit reads alone; null in rows written before
   * migration 0006 or put without one.
   */
  access_index: ColumnType<Uint8Array | null, Uint8Array | null, Uint8Array | null>;
  data: Bytes;
  updated_at: Millis;
}

/** `entrance_login_transactions`: pending sign-ins until their callback takes them. */
export interface LoginTransactionsTable {
  key: string;
  value: string;
  /**
   * The browser binding's hash that may take the transaction; '' for rows written before
   * migration 0004, which no browser's binding matches.
   */
  owner: string;
  expires_at: Millis;
}

/** `entrance_locks`: one row per held (or expired, not yet taken over) cross-instance lock. */
export interface LocksTable {
  key: string;
  /** A random 128-bit value (base64url) naming the acquire that holds the lock. */
  holder: string;
  expires_at: Millis;
}

/** `entrance_audit`: the audit log, one row per event. */
export interface AuditTable {
  /** A sequence the database assigns (SQLite `AUTOINCREMENT`, a PostgreSQL identity). */
  id: Generated<number | string | bigint>;
  at: Millis;
  type: string;
  tenant_id: string | null;
  object_id: string | null;
  /** JSON `{ tenantId, objectId, name }`, or null. */
  actor: string | null;
  detail: string;
  aadsts: NullableInteger;
  ip: string | null;
  /** How many occurrences the event stands for: 1 unless repeats were folded into it. */
  count: DefaultedInteger;
}

/** Every table Entrance keeps; all are prefixed `entrance_` so they can share a database. */
export interface EntranceDatabase {
  entrance_users: UsersTable;
  entrance_sessions: SessionsTable;
  entrance_token_partitions: TokenPartitionsTable;
  entrance_login_transactions: LoginTransactionsTable;
  entrance_locks: LocksTable;
  entrance_audit: AuditTable;
}
