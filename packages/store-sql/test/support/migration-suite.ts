/**
 * The migration and upgrade tests, written once and run on each SQL dialect: a fresh database
 * gets every migration once, however many stores open it at once; a database of an older version
 * is upgraded with its data kept; one that a newer version migrated is refused. The older
 * versions are made by undoing migrations with raw SQL that both dialects accept.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { EntranceStore, UserRecord } from "@entrance/core";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/index.js";

/** A new, empty database of the dialect, and raw access to it beside the store. */
export interface FreshDatabase {
  /** Opens a store on this database, applying the migrations it lacks (unless told not to). */
  readonly open: (options?: { migrate?: boolean }) => Promise<EntranceStore>;
  /** The database as a DATABASE_URL names it, for `migrate`. */
  readonly url: string;
  /** Runs `;`-separated statements outside any store (with no store open). */
  readonly exec: (statements: string) => Promise<void>;
  /** Runs one query outside any store and returns its rows. */
  readonly query: (statement: string) => Promise<Record<string, unknown>[]>;
}

/** What the suite needs of a dialect. */
export interface MigrationDialect {
  /** Creates a database no other test uses (a file, a schema), cleaned up by the caller. */
  readonly fresh: () => Promise<FreshDatabase>;
  /** A query of the names (column `name`) of the database's tables, sorted, its own excluded. */
  readonly tablesQuery: string;
  /** MySQL's dialect of the raw SQL below: `drop index … on table`, backquoted identifiers. */
  readonly mysql?: boolean;
}

/** The raw SQL of the undo steps, in the dialect's words. */
function rawSql(mysql: boolean) {
  const dropIndex = (index: string, table: string) =>
    mysql ? `drop index ${index} on ${table};` : `drop index ${index};`;
  const key = mysql ? "`key`" : '"key"';
  return { dropIndex, key };
}

/** Every migration this version applies, in order. */
export const MIGRATIONS = [
  "0001_initial",
  "0002_locks",
  "0003_admin_and_audit",
  "0004_owners_counts_and_sweeps",
  "0005_account_kind",
  "0006_token_partition_index",
];

/** Takes a database back to the schema of the version before 0006_token_partition_index. */
const UNDO_0006 = `
  alter table entrance_token_partitions drop column access_index;
  delete from entrance_migration where name = '0006_token_partition_index';
`;

/** Takes a database back to the schema of the version before 0005_account_kind. */
const UNDO_0005 = `${UNDO_0006}
  alter table entrance_users drop column account_kind;
  delete from entrance_migration where name = '0005_account_kind';
`;

/** Takes a database back to the schema of the version before 0004_owners_counts_and_sweeps. */
const undo0004 = (mysql: boolean) => {
  const { dropIndex } = rawSql(mysql);
  return `
  ${dropIndex("entrance_login_transactions_owner_idx", "entrance_login_transactions")}
  alter table entrance_login_transactions drop column owner;
  alter table entrance_audit drop column count;
  ${dropIndex("entrance_sessions_idle_expires_idx", "entrance_sessions")}
  ${dropIndex("entrance_sessions_absolute_expires_idx", "entrance_sessions")}
  delete from entrance_migration where name = '0004_owners_counts_and_sweeps';
`;
};

/** Takes a database of the version before 0004 back to the version before 0003_admin_and_audit. */
const undo0003 = (mysql: boolean) => `
  drop table entrance_audit;
  ${rawSql(mysql).dropIndex("entrance_users_last_sign_in_idx", "entrance_users")}
  alter table entrance_users drop column resolved_groups;
  alter table entrance_users drop column resolved_groups_at;
  delete from entrance_migration where name = '0003_admin_and_audit';
`;

/** Takes a database of the version before 0003 back to the version that knew only 0001_initial. */
const UNDO_0002 = `
  drop table entrance_locks;
  delete from entrance_migration where name = '0002_locks';
`;

const user = (): UserRecord => ({
  tenantId: randomUUID(),
  objectId: randomUUID(),
  accountKind: "member",
  displayName: "Grace Hopper",
  username: "grace@contoso.example",
  mail: null,
  roles: ["Reader"],
  groups: [randomUUID()],
  groupsOverage: false,
  firstSignInAt: new Date("2025-01-01T00:00:00.001Z"),
  lastSignInAt: new Date("2025-01-02T00:00:00.002Z"),
  disabled: false,
  resolvedGroups: null,
});

/** Defines the migration tests for one dialect; call it where that dialect's tests are defined. */
export function migrationSuite(dialect: MigrationDialect): void {
  const mysql = dialect.mysql ?? false;
  // Each undo takes back the ones after it too, so older versions are reached in order.
  const UNDO_0004 = undo0004(mysql);
  const UNDO_0003 = undo0003(mysql);
  describe("migrations", () => {
    const migrationNames = async (database: FreshDatabase) =>
      (await database.query("select name from entrance_migration order by name")).map(
        (row) => row.name,
      );

    it("creates the tables, all prefixed entrance_", async () => {
      const database = await dialect.fresh();
      await (await database.open()).close();
      const tables = (await database.query(dialect.tablesQuery)).map((row) => row.name);
      expect(tables).toStrictEqual([
        "entrance_audit",
        "entrance_locks",
        "entrance_login_transactions",
        "entrance_migration",
        "entrance_migration_lock",
        "entrance_sessions",
        "entrance_token_partitions",
        "entrance_users",
      ]);
    });

    it("three stores opening a fresh database at once all open, and migrate it once", async () => {
      const database = await dialect.fresh();
      const stores = await Promise.all([1, 2, 3].map(() => database.open()));
      try {
        const stored = user();
        await stores[0]?.users.upsert(stored);
        expect(await stores[2]?.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
        await stores[1]?.transactions.put("state", "value", 60, { id: "b", maxPending: 10 });
        const takes = stores.flatMap((store) =>
          [1, 2, 3].map(() => store.transactions.take("state", "b")),
        );
        expect((await Promise.all(takes)).filter((value) => value !== null)).toStrictEqual([
          "value",
        ]);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
      expect(await migrationNames(database)).toStrictEqual(MIGRATIONS);
    });

    it("keeps data across reopening, and reopening runs no migration again", async () => {
      const database = await dialect.fresh();
      const stored = user();
      const first = await database.open();
      await first.users.upsert(stored);
      await first.close();
      const migrations = () =>
        database.query("select name, timestamp from entrance_migration order by name");
      const before = await migrations();
      expect(before.map((row) => row.name)).toStrictEqual(MIGRATIONS);

      const second = await database.open();
      expect(await second.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
      await second.close();
      expect(await migrations()).toStrictEqual(before);
    });

    it("upgrades a database of version 0001: adds entrance_locks, keeps the data", async () => {
      const database = await dialect.fresh();
      const stored = user();
      const old = await database.open();
      await old.users.upsert(stored);
      await old.close();
      await database.exec(`${UNDO_0005}${UNDO_0004}${UNDO_0003}${UNDO_0002}`);

      const upgraded = await database.open();
      try {
        expect(await upgraded.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
        const release = await upgraded.locks?.acquire("refresh", 30);
        expect(release).toBeTypeOf("function");
        await release?.();
      } finally {
        await upgraded.close();
      }
      expect(await migrationNames(database)).toStrictEqual(MIGRATIONS);
    });

    it("upgrades a database of version 0002: adds resolved groups and the audit log, keeps the data", async () => {
      const database = await dialect.fresh();
      const stored = user();
      const old = await database.open();
      await old.users.upsert(stored);
      await old.close();
      await database.exec(`${UNDO_0005}${UNDO_0004}${UNDO_0003}`);

      const upgraded = await database.open();
      try {
        expect(await upgraded.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
        const resolved = { ids: ["g1"], resolvedAt: new Date(1) };
        expect(
          await upgraded.users.setResolvedGroups(stored.tenantId, stored.objectId, resolved),
        ).toBe(true);
        expect(await upgraded.users.list({ limit: 10, offset: 0 })).toStrictEqual({
          users: [{ ...stored, resolvedGroups: resolved }],
          total: 1,
        });
        const event = await upgraded.audit.append({
          at: new Date(2),
          type: "sign_in",
          tenantId: stored.tenantId,
          objectId: stored.objectId,
          actor: null,
          detail: "signed in",
          aadsts: null,
          ip: null,
        });
        expect(event.id).toBe("1");
      } finally {
        await upgraded.close();
      }
      expect(await migrationNames(database)).toStrictEqual(MIGRATIONS);
    });

    it("upgrades a database of version 0003: keeps pending transactions and audit events readable", async () => {
      const database = await dialect.fresh();
      await (await database.open()).close();
      await database.exec(
        `${UNDO_0005}${UNDO_0004}
        insert into entrance_login_transactions (${rawSql(mysql).key}, value, expires_at)
          values ('old-state', '{}', ${Date.now() + 600_000});
        insert into entrance_audit (at, type, detail)
          values (1, 'sign_in', 'signed in before the upgrade');`,
      );

      const upgraded = await database.open();
      try {
        // A transaction stored before owners existed belongs to '': no browser's binding.
        expect(await upgraded.transactions.countPending()).toBe(1);
        expect(await upgraded.transactions.take("old-state", "a-browser")).toBeNull();
        expect(await upgraded.transactions.take("old-state", "")).toBe("{}");
        expect(await upgraded.audit.list({ limit: 10, offset: 0 })).toStrictEqual({
          events: [
            {
              id: "1",
              at: new Date(1),
              type: "sign_in",
              tenantId: null,
              objectId: null,
              actor: null,
              detail: "signed in before the upgrade",
              aadsts: null,
              ip: null,
              count: 1,
            },
          ],
          total: 1,
        });
        expect(await upgraded.audit.addCount("1", 2)).toBe(true);
        expect((await upgraded.audit.list({ limit: 1, offset: 0 })).events[0]?.count).toBe(3);
        expect(await upgraded.sessions.deleteExpired(new Date())).toBe(0);
      } finally {
        await upgraded.close();
      }
      expect(await migrationNames(database)).toStrictEqual(MIGRATIONS);
    });

    it("upgrades a database of version 0004: its users read as members, a sign-in stores the kind", async () => {
      const database = await dialect.fresh();
      // Written as a guest, then the column is dropped: what a 0004 database holds is kindless.
      const stored: UserRecord = { ...user(), accountKind: "guest" };
      const old = await database.open();
      await old.users.upsert(stored);
      await old.close();
      await database.exec(UNDO_0005);

      const upgraded = await database.open();
      try {
        expect(await upgraded.users.get(stored.tenantId, stored.objectId)).toStrictEqual({
          ...stored,
          accountKind: "member",
        });
        await upgraded.users.upsert({ ...stored, accountKind: "personal" });
        expect((await upgraded.users.get(stored.tenantId, stored.objectId))?.accountKind).toBe(
          "personal",
        );
      } finally {
        await upgraded.close();
      }
      expect(await migrationNames(database)).toStrictEqual(MIGRATIONS);
    });

    it("upgrades a database of version 0005: token partitions keep their data, without an index until their next put", async () => {
      const database = await dialect.fresh();
      const old = await database.open();
      const data = new Uint8Array(randomBytes(8 * 1024));
      const small = new Uint8Array([0, 1, 2, 255]);
      await old.tokens.put("oid-1.tid", data);
      await old.tokens.put("oid-2.tid", small);
      await old.close();
      await database.exec(UNDO_0006);

      const upgraded = await database.open();
      try {
        expect(await upgraded.tokens.getIndex("oid-1.tid")).toBeNull();
        expect(Buffer.from((await upgraded.tokens.get("oid-1.tid")) ?? [])).toStrictEqual(
          Buffer.from(data),
        );
        expect(Buffer.from((await upgraded.tokens.get("oid-2.tid")) ?? [])).toStrictEqual(
          Buffer.from(small),
        );
        const index = new Uint8Array(randomBytes(300));
        await upgraded.tokens.put("oid-1.tid", data, index);
        expect(Buffer.from((await upgraded.tokens.getIndex("oid-1.tid")) ?? [])).toStrictEqual(
          Buffer.from(index),
        );
        await upgraded.tokens.delete("oid-1.tid");
        expect(await upgraded.tokens.getIndex("oid-1.tid")).toBeNull();
        expect(await upgraded.tokens.get("oid-1.tid")).toBeNull();
      } finally {
        await upgraded.close();
      }
      expect(await migrationNames(database)).toStrictEqual(MIGRATIONS);
    });

    it("five migrate() calls at once on a fresh database all finish, applying each migration once", async () => {
      const database = await dialect.fresh();
      const reports = await Promise.all([1, 2, 3, 4, 5].map(() => migrate(database.url)));
      expect(reports.flatMap((report) => report.applied).sort()).toStrictEqual(MIGRATIONS);
      expect(await migrationNames(database)).toStrictEqual(MIGRATIONS);
      const store = await database.open({ migrate: false });
      try {
        const stored = user();
        await store.users.upsert(stored);
        expect(await store.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
      } finally {
        await store.close();
      }
      expect((await migrate(database.url)).applied).toStrictEqual([]);
    });

    it("with migrate: false, opening changes no schema and names the migrations missing", async () => {
      const database = await dialect.fresh();
      await expect(database.open({ migrate: false })).rejects.toThrow(
        `lacks the Entrance schema migrations ${MIGRATIONS.join(", ")}. Run \`migrate(DATABASE_URL)\``,
      );
      expect((await database.query(dialect.tablesQuery)).map((row) => row.name)).toStrictEqual([]);
      await (await database.open()).close();
      await database.exec(`${UNDO_0005}${UNDO_0004}`);
      await expect(database.open({ migrate: false })).rejects.toThrow(
        /lacks the Entrance schema migrations 0004_owners_counts_and_sweeps, 0005_account_kind, 0006_token_partition_index\./,
      );
      expect((await migrate(database.url)).applied).toStrictEqual([
        "0004_owners_counts_and_sweeps",
        "0005_account_kind",
        "0006_token_partition_index",
      ]);
      await (await database.open({ migrate: false })).close();
      await database.exec("insert into entrance_migration values ('9999_future', 'x')");
      await expect(database.open({ migrate: false })).rejects.toThrow(
        /newer @entrance\/store-sql migrated this database \(9999_future\)/,
      );
    });

    it("refuses a database that a newer version migrated, saying so", async () => {
      const database = await dialect.fresh();
      await (await database.open()).close();
      await database.exec("insert into entrance_migration values ('9999_future', 'x')");
      await expect(database.open()).rejects.toThrow(/newer @entrance\/store-sql/);
    });
  });
}
