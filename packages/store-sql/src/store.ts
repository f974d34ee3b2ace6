import type { EntranceStore } from "@entrance/core";
import type { Kysely, Selectable } from "kysely";
import type {
  EntranceDatabase,
  SessionsTable,
  TokenPartitionsTable,
  UsersTable,
} from "./schema.js";
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
 * The three reads a signed-in request makes (its session, its user, a token partition), answered
 * by the driver directly where it can answer at once (SQLite): building and compiling a Kysely
 * query and passing its connection lock cost more than the read itself. The rows are the ones
 * Kysely would return, converted by the same code.
 */
export interface HotReads {
  session(idHash: string): Selectable<SessionsTable> | undefined;
  user(tenantId: string, objectId: string): Selectable<UsersTable> | undefined;
  token(partition: string): Pick<Selectable<TokenPartitionsTable>, "data"> | undefined;
}

/**
 * The one SQL code path: the same queries for SQLite and PostgreSQL, through Kysely; `hot`
 * answers the per-request reads where the driver is synchronous.
 */
export function createSqlStore(
  db: Kysely<EntranceDatabase>,
  options: SqlStoreOptions = {},
  hot?: HotReads,
): EntranceStore {
  const now = options.now ?? Date.now;
  let closing: Promise<void> | undefined;
  return {
    users: sqlUsers(db, hot),
    sessions: sqlSessions(db, hot),
    tokens: sqlTokens(db, now, hot),
    transactions: sqlTransactions(db, now),
    locks: sqlLocks(db, now),
    audit: sqlAudit(db),
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}
