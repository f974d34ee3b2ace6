import type { EntranceStore } from "@entrance/core";
import type { Kysely } from "kysely";
import type { Dialect } from "./dialect.js";
import type { EntranceDatabase } from "./schema.js";
import { sqlAudit } from "./stores/audit.js";
import { sqlLocks } from "./stores/locks.js";
import { sqlSessions } from "./stores/sessions.js";
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
}

/**
 * The one SQL code path: the same queries for SQLite, PostgreSQL and MySQL, through Kysely; the
 * dialect picks the few statements MySQL needs in another form (no `RETURNING` there).
 */
export function createSqlStore(
  db: Kysely<EntranceDatabase>,
  dialect: Dialect,
  options: SqlStoreOptions = {},
): EntranceStore {
  const now = options.now ?? Date.now;
  let closing: Promise<void> | undefined;
  return {
    users: sqlUsers(db, dialect),
    sessions: sqlSessions(db, dialect),
    tokens: sqlTokens(db, dialect, now),
    transactions: sqlTransactions(db, dialect, now),
    locks: sqlLocks(db, dialect, now),
    audit: sqlAudit(db, dialect),
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}
