import type { EntranceStore } from "@entrance/core";
import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "./dialect.js";
import type { migrate } from "./migrate.js";
import type {
  EntranceDatabase,
  SessionsTable,
  TokenPartitionsTable,
  UsersTable,
} from "./schema.js";
import { sqlAudit } from "./stores/audit.js";
import { sqlLocks } from "./stores/locks.js";
import { sqlSessions } from "./stores/sessions.js";
import { querySignedIn, type SignedInRow, signedInFromRow } from "./stores/signed-in.js";
import { sqlTokens } from "./stores/tokens.js";
import { sqlTransactions } from "./stores/transactions.js";
import { sqlUsers } from "./stores/users.js";

/** Options every SQL store accepts. */
export interface SqlStoreOptions {
  /**
   * The clock, in epoch milliseconds, for login-transaction and lock expiry and token
   * `updated_at`; `Date.now` by default. Tests inject one to move time without waiting.
   */
  readonly now?: () => number;
  /**
   * Whether opening applies the schema migrations the database lacks: `true` by default. With
   * `false` opening changes no schema and fails, naming them, when any is missing — for
   * deployments that forbid schema changes at start-up and run {@link migrate} in a step of
   * their own.
   */
  readonly migrate?: boolean;
}

/** What opening does about the schema: apply what is missing, or only check. */
export type SchemaMode = "migrate" | "check";

/** The schema mode that the options ask for. */
export const schemaMode = (options: SqlStoreOptions): SchemaMode =>
  options.migrate === false ? "check" : "migrate";

/**
 * The reads a signed-in request makes (its session and its user, together or apart; a token
 * partition or its index), answered by the driver directly where it can answer at once (SQLite):
 * building and compiling a Kysely query and passing its connection lock cost more than the read
 * itself. The rows are the ones Kysely would return, converted by the same code.
 */
export interface HotReads {
  session(idHash: string): Selectable<SessionsTable> | undefined;
  /** A session with its user's columns (see `stores/signed-in.ts`); undefined when no session. */
  signedIn(idHash: string): SignedInRow | undefined;
  user(tenantId: string, objectId: string): Selectable<UsersTable> | undefined;
  /** The partition's `data` column alone (no row object around it); undefined when no row. */
  token(partition: string): Selectable<TokenPartitionsTable>["data"] | undefined;
  /** Its `access_index` column alone: null in a row written before indexes, undefined if none. */
  tokenIndex(partition: string): Selectable<TokenPartitionsTable>["access_index"] | undefined;
}

/**
 * The one SQL code path: the same queries for SQLite, PostgreSQL and MySQL, through Kysely; the
 * dialect picks the few statements MySQL needs in another form (no `RETURNING` there), and `hot`
 * answers the per-request reads where the driver is synchronous (SQLite).
 */
export function createSqlStore(
  db: Kysely<EntranceDatabase>,
  dialect: Dialect,
  options: SqlStoreOptions = {},
  hot?: HotReads,
): EntranceStore {
  const now = options.now ?? Date.now;
  let closing: Promise<void> | undefined;
  const store: EntranceStore = {
    users: sqlUsers(db, dialect, hot),
    sessions: sqlSessions(db, dialect, hot),
    tokens: sqlTokens(db, dialect, now, hot),
    transactions: sqlTransactions(db, dialect, now),
    locks: sqlLocks(db, dialect, now),
    audit: sqlAudit(db, dialect),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
  // A session with its user in one query. Not enumerable: a copy made by spreading this store
  // with other parts (`{ ...store, sessions }`) must not read these tables behind those parts.
  Object.defineProperty(store, "signedIn", {
    value: async (idHash: string) => {
      const row = hot ? hot.signedIn(idHash) : await querySignedIn(db, idHash);
      return row ? signedInFromRow(row) : null;
    },
  });
  return store;
}
