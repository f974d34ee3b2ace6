/**
 * The MySQL/MariaDB store on the machine's MariaDB (127.0.0.1:3306, root, or
 * ENTRANCE_TEST_MYSQL_URL): the conformance and migration suites, each in a database of its own
 * that the test creates and drops, and what is particular to MySQL.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { storeHealth, type UserRecord } from "@entrance/core";
import { storeConformance } from "@entrance/store-conformance";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireComponent } from "../../emulator/test/support/require.js";
import { openMysqlStore, openSqlStore } from "../src/index.js";
import { migrationSuite } from "./support/migration-suite.js";
import { expectJoinedReadToReportCorruptRoles } from "./support/session.js";

/** The server; each test database is made on it. */
const SERVER_URL = process.env.ENTRANCE_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";

/** The URL of `database` on the test server. */
function urlOf(database: string, scheme = "mysql:"): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.href.replace(/^mysql:/, scheme);
}

/** Runs SQL as the server's administrator, in `database` when given. */
async function admin<T>(run: (c: mysql.Connection) => Promise<T>, database?: string): Promise<T> {
  const connection = await mysql.createConnection({
    uri: database ? urlOf(database) : SERVER_URL,
    multipleStatements: true,
    connectTimeout: 2_000,
  });
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}

async function reachable(): Promise<boolean> {
  try {
    await admin((c) => c.query("select 1"));
    return true;
  } catch {
    return false;
  }
}

const describeWithMysql = requireComponent(
  "MariaDB (or MySQL)",
  await reachable(),
  "apt-get install mariadb-server && service mariadb start " +
    "(or point ENTRANCE_TEST_MYSQL_URL at a server where the user may create databases)",
);

/** A new, empty database no other test uses. */
async function createDatabase(): Promise<string> {
  const database = `entrance_test_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`create database \`${database}\``));
  return database;
}

const dropDatabase = (database: string) =>
  admin((c) => c.query(`drop database if exists \`${database}\``)).then(() => undefined);

const user = (): UserRecord => ({
  tenantId: randomUUID(),
  objectId: randomUUID(),
  accountKind: "member",
  displayName: "Mary Jackson",
  username: "mary@contoso.example",
  mail: null,
  roles: ["Reader"],
  groups: [randomUUID()],
  groupsOverage: false,
  firstSignInAt: new Date("2025-01-01T00:00:00.001Z"),
  lastSignInAt: new Date("2025-01-02T00:00:00.002Z"),
  disabled: false,
  resolvedGroups: null,
});

describeWithMysql("MySQL store", () => {
  let suiteDatabase = "";
  beforeAll(async () => {
    suiteDatabase = await createDatabase();
  });
  // Here rather than as the suite's cleanup, so that a run filtered to other tests drops it too.
  afterAll(() => dropDatabase(suiteDatabase));
  storeConformance("MySQL store", ({ now }) =>
    openMysqlStore({ connectionString: urlOf(suiteDatabase), now }),
  );

  describe("migrations and connections", () => {
    const databases: string[] = [];
    const freshDatabase = async () => {
      const database = await createDatabase();
      databases.push(database);
      return database;
    };
    afterAll(async () => {
      for (const database of databases) await dropDatabase(database);
    });

    migrationSuite({
      mysql: true,
      fresh: async () => {
        const database = await freshDatabase();
        return {
          open: (options) => openMysqlStore({ connectionString: urlOf(database), ...options }),
          url: urlOf(database),
          exec: async (statements) => {
            await admin((c) => c.query(statements), database);
          },
          query: async (statement) =>
            (await admin((c) => c.query(statement), database))[0] as Record<string, unknown>[],
        };
      },
      tablesQuery:
        "select table_name as name from information_schema.tables " +
        "where table_schema = database() order by 1",
    });

    it("keys its tables in utf8mb4 with a binary collation that pads no spaces", async () => {
      const database = await freshDatabase();
      await (await openMysqlStore({ connectionString: urlOf(database) })).close();
      const rows = (
        await admin(
          (c) =>
            c.query(
              "select table_name as name, table_collation as collation from information_schema.tables " +
                "where table_schema = database() and table_name not like 'entrance\\_migration%' order by 1",
            ),
          database,
        )
      )[0] as { name: string; collation: string }[];
      expect(rows.map((row) => row.name)).toHaveLength(6);
      for (const row of rows) expect(row.collation).toMatch(/^utf8mb4_(nopad_bin|0900_bin)$/);
    });

    it("opens through openSqlStore with a mariadb:// URL", async () => {
      const database = await freshDatabase();
      const store = await openSqlStore(urlOf(database, "mariadb:"));
      await store.users.upsert(user());
      await store.close();
      const rows = (
        await admin((c) => c.query("select count(*) as n from entrance_users"), database)
      )[0] as { n: number }[];
      expect(Number(rows[0]?.n)).toBe(1);
    });

    it("a corrupt JSON list fails get with an error naming the table, key and column", async () => {
      const database = await freshDatabase();
      const store = await openMysqlStore({ connectionString: urlOf(database) });
      try {
        const stored = user();
        await store.users.upsert(stored);
        await admin(
          (c) =>
            c.query("update entrance_users set roles = 'oops' where object_id = ?", [
              stored.objectId,
            ]),
          database,
        );
        const failure = store.users.get(stored.tenantId, stored.objectId);
        await expect(failure).rejects.toThrow(/entrance_users/);
        await expect(failure).rejects.toThrow(/column roles is not valid JSON/);
        // The session-with-user read (one query, a join) reports the same row the same way.
        await expectJoinedReadToReportCorruptRoles(store, stored);
      } finally {
        await store.close();
      }
    });

    it("refuses a URL that names no database, and one that does not exist, saying so", async () => {
      const url = new URL(SERVER_URL);
      url.pathname = "";
      await expect(openMysqlStore({ connectionString: url.href })).rejects.toThrow(
        /names no database/,
      );
      await expect(
        openMysqlStore({
          connectionString: urlOf(`entrance_missing_${randomBytes(6).toString("hex")}`),
        }),
      ).rejects.toThrow(/Could not open the MySQL store: .*Unknown database/);
    });

    it("answers a health check while open, and not once closed", async () => {
      const store = await openMysqlStore({ connectionString: urlOf(await freshDatabase()) });
      expect((await storeHealth(store)).ok).toBe(true);
      await store.close();
      expect((await storeHealth(store)).ok).toBe(false);
    });

    it("close is idempotent", async () => {
      const store = await openMysqlStore({ connectionString: urlOf(await freshDatabase()) });
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
});
