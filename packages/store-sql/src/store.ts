import type { EntranceStore } from "@entrance/core";
import type { Kysely } from "kysely";
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

/** The one SQL code path: the same queries for SQLite and PostgreSQL, through Kysely. */
export function createSqlStore(
  db: Kysely<EntranceDatabase>,
  options: SqlStoreOptions = {},
): EntranceStore {
  const now = options.now ?? Date.now;
  let closing: Promise<void> | undefined;
  return {
    users: sqlUsers(db),
    sessions: sqlSessions(db),
    tokens: sqlTokens(db, now),
    transactions: sqlTransactions(db, now),
    locks: sqlLocks(db, now),
    audit: sqlAudit(db),
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}
