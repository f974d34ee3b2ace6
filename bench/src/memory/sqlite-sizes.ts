import Database from "better-sqlite3";

/** One user's rows, in bytes as SQLite stores them. */
export interface UserRows {
  /** The record of the user's row in entrance_users (header and values, as dbstat counts). */
  readonly userRow: number;
  /** The record of the user's token partition (entrance_token_partitions). */
  readonly tokenPartitionRow: number;
  /** Of which the encrypted MSAL cache (`length(data)`). */
  readonly tokenCacheBlob: number;
  /** The record of one of the user's sessions (entrance_sessions). */
  readonly sessionRow: number;
  /** The record of the user's sign-in event in the audit log (entrance_audit). */
  readonly auditRow: number;
}

/** A table with its indexes, as stored: pages and what is in them. */
export interface TableSize {
  readonly table: string;
  readonly rows: number;
  /** Pages × page size, table and indexes: the file space it takes. */
  readonly bytes: number;
  /** The records alone, table and indexes. */
  readonly payload: number;
  readonly indexes: readonly string[];
}

const TABLES = [
  "entrance_sessions",
  "entrance_users",
  "entrance_token_partitions",
  "entrance_audit",
] as const;

/**
 * Sizes in Entrance's SQLite file, by SQLite's own count (the `dbstat` table): each row is copied
 * alone into a scratch database in memory, whose dbstat payload is then exactly that row's record.
 */
export class SqliteSizes {
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = new Database(path, { fileMustExist: true });
    this.#db.exec("ATTACH DATABASE ':memory:' AS scratch");
  }

  /** The records of one user's rows (`tenantId`, `objectId`). */
  userRows(tenantId: string, objectId: string): UserRows {
    const partition = `${objectId}.${tenantId}`;
    const blob = this.#db
      .prepare("SELECT length(data) AS n FROM entrance_token_partitions WHERE partition = ?")
      .get(partition) as { n: number } | undefined;
    return {
      userRow: this.#record("entrance_users WHERE tenant_id = ? AND object_id = ?", [
        tenantId,
        objectId,
      ]),
      tokenPartitionRow: this.#record("entrance_token_partitions WHERE partition = ?", [partition]),
      tokenCacheBlob: blob?.n ?? 0,
      sessionRow: this.#record("entrance_sessions WHERE tenant_id = ? AND object_id = ? LIMIT 1", [
        tenantId,
        objectId,
      ]),
      auditRow: this.#record(
        "entrance_audit WHERE tenant_id = ? AND object_id = ? AND type = 'sign_in' LIMIT 1",
        [tenantId, objectId],
      ),
    };
  }

  /** Every Entrance table that grows with users or sessions, with its indexes. */
  tables(): TableSize[] {
    return TABLES.map((table) => {
      const indexes = (
        this.#db
          .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?")
          .all(table) as { name: string }[]
      ).map((row) => row.name);
      const names = [table, ...indexes];
      const stat = this.#db
        .prepare(
          `SELECT sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat('main')
           WHERE name IN (${names.map(() => "?").join(", ")})`,
        )
        .get(...names) as { bytes: number; payload: number };
      const { rows } = this.#db.prepare(`SELECT count(*) AS rows FROM ${table}`).get() as {
        rows: number;
      };
      return { table, rows, bytes: stat.bytes, payload: stat.payload, indexes };
    });
  }

  close(): void {
    this.#db.close();
  }

  /** The record size of the first row of `from` (a table and its WHERE clause). */
  #record(from: string, parameters: readonly unknown[]): number {
    this.#db.exec("DROP TABLE IF EXISTS scratch.one");
    const copied = this.#db.prepare(`CREATE TABLE scratch.one AS SELECT * FROM ${from}`);
    copied.run(...parameters);
    const { count } = this.#db.prepare("SELECT count(*) AS count FROM scratch.one").get() as {
      count: number;
    };
    if (count !== 1) throw new Error(`expected one row of ${from}, found ${count}`);
    const { payload } = this.#db
      .prepare("SELECT sum(payload) AS payload FROM dbstat('scratch') WHERE name = 'one'")
      .get() as { payload: number };
    return payload;
  }
}
