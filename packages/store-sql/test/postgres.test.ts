import { randomBytes, randomUUID } from "node:crypto";
import { storeHealth, type UserRecord } from "@entrance/core";
import { storeConformance } from "@entrance/store-conformance";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireComponent } from "../../emulator/test/support/require.js";
import { openPostgresStore, openSqlStore } from "../src/index.js";
import { migrationSuite } from "./support/migration-suite.js";
import { expectJoinedReadToReportCorruptRoles } from "./support/session.js";

/** The test database; CI and the dev container serve it with trust authentication. */
const DATABASE_URL =
  process.env.ENTRANCE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Connects once, giving up after 2 s, so a machine without PostgreSQL does not hang. */
async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const describeWithPostgres = requireComponent(
  "PostgreSQL",
  await reachable(),
  "apt-get install postgresql && service postgresql start && " +
    "createdb -h 127.0.0.1 -U postgres test (or point ENTRANCE_TEST_POSTGRES_URL at a database)",
);

/**
 * Runs SQL outside any store, as the test database's owner; in `schema` when given (it is then
 * the search_path, so table names need no schema).
 */
async function admin<T>(run: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  const client = new pg.Client(schema ? inSchema(schema) : { connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A new, empty schema for this file's tables, so runs never see each other's data. */
async function createSchema(): Promise<string> {
  const schema = `entrance_test_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`create schema "${schema}"`));
  return schema;
}

const dropSchema = (schema: string) =>
  admin((client) => client.query(`drop schema if exists "${schema}" cascade`)).then(
    () => undefined,
  );

/** A DATABASE_URL whose search_path is `schema`. */
function urlOf(schema: string): string {
  const url = new URL(DATABASE_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.href;
}

/** Pool options that put the store's tables in `schema`. */
const inSchema = (schema: string): pg.PoolConfig => ({
  connectionString: DATABASE_URL,
  options: `-c search_path=${schema}`,
});

const user = (): UserRecord => ({
  tenantId: randomUUID(),
  objectId: randomUUID(),
  accountKind: "member",
  displayName: "Katherine Johnson",
  username: "katherine@contoso.example",
  mail: "katherine@contoso.example",
  roles: ["Reader"],
  groups: [randomUUID()],
  groupsOverage: false,
  firstSignInAt: new Date("2025-01-01T00:00:00.001Z"),
  lastSignInAt: new Date("2025-01-02T00:00:00.002Z"),
  disabled: false,
  resolvedGroups: null,
});

describeWithPostgres("PostgreSQL store", () => {
  let suiteSchema = "";
  beforeAll(async () => {
    suiteSchema = await createSchema();
  });
  storeConformance(
    "PostgreSQL store",
    ({ now }) => openPostgresStore({ pool: inSchema(suiteSchema), now }),
    () => dropSchema(suiteSchema),
  );

  describe("migrations and connections", () => {
    const schemas: string[] = [];
    const freshSchema = async () => {
      const schema = await createSchema();
      schemas.push(schema);
      return schema;
    };
    afterAll(async () => {
      for (const schema of schemas) await dropSchema(schema);
    });

    migrationSuite({
      fresh: async () => {
        const schema = await freshSchema();
        return {
          open: (options) => openPostgresStore({ pool: inSchema(schema), ...options }),
          url: urlOf(schema),
          exec: async (statements) => {
            // Several statements in one query string: pg sends them as one simple query.
            await admin((client) => client.query(statements), schema);
          },
          query: async (statement) =>
            (await admin((client) => client.query(statement), schema)).rows,
        };
      },
      // The tables of the schema the store's search_path names.
      tablesQuery:
        "select table_name as name from information_schema.tables " +
        "where table_schema = current_schema() order by 1",
    });

    it("creates the indexes of the admin lists, the transaction caps and the sweeps", async () => {
      const schema = await freshSchema();
      await (await openPostgresStore({ pool: inSchema(schema) })).close();
      const indexes = await admin(async (client) => {
        const result = await client.query(
          "select indexname, indexdef from pg_indexes where schemaname = $1 " +
            "and indexname like '%\\_idx' order by 1",
          [schema],
        );
        return result.rows.map((row) => row.indexdef.replace(`${schema}.`, ""));
      });
      expect(indexes).toStrictEqual([
        "CREATE INDEX entrance_audit_at_idx ON entrance_audit USING btree (at, id)",
        "CREATE INDEX entrance_audit_user_idx ON entrance_audit USING btree (tenant_id, object_id, at, id)",
        "CREATE INDEX entrance_login_transactions_expires_idx ON entrance_login_transactions USING btree (expires_at)",
        "CREATE INDEX entrance_login_transactions_owner_idx ON entrance_login_transactions USING btree (owner, expires_at)",
        "CREATE INDEX entrance_sessions_absolute_expires_idx ON entrance_sessions USING btree (absolute_expires_at)",
        "CREATE INDEX entrance_sessions_idle_expires_idx ON entrance_sessions USING btree (idle_expires_at)",
        "CREATE INDEX entrance_sessions_sid_idx ON entrance_sessions USING btree (sid)",
        "CREATE INDEX entrance_sessions_user_idx ON entrance_sessions USING btree (tenant_id, object_id)",
        "CREATE INDEX entrance_users_last_sign_in_idx ON entrance_users USING btree (last_sign_in_at DESC, tenant_id, object_id)",
      ]);
    });

    it("concurrent puts of one browser through three stores leave at most maxPending", async () => {
      const schema = await freshSchema();
      const stores = await Promise.all(
        [1, 2, 3].map(() => openPostgresStore({ pool: inSchema(schema) })),
      );
      try {
        const browser = { id: "busy-browser", maxPending: 5 };
        await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            stores[i % 3]?.transactions.put(`state-${i}`, "{}", 60, browser),
          ),
        );
        const owned = await admin(async (client) => {
          const result = await client.query(
            `select count(*)::int as n from "${schema}".entrance_login_transactions ` +
              "where owner = $1",
            [browser.id],
          );
          return result.rows[0]?.n;
        });
        expect(owned).toBeGreaterThanOrEqual(1);
        expect(owned).toBeLessThanOrEqual(browser.maxPending);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it("opens through openSqlStore with a postgresql:// URL", async () => {
      const schema = await freshSchema();
      const url = new URL(DATABASE_URL);
      url.protocol = "postgresql:";
      url.searchParams.set("options", `-c search_path=${schema}`);
      const store = await openSqlStore(url.href);
      const stored = user();
      await store.users.upsert(stored);
      await store.close();
      const count = await admin(async (client) => {
        const result = await client.query(
          `select count(*)::int as n from "${schema}".entrance_users`,
        );
        return result.rows[0]?.n;
      });
      expect(count).toBe(1);
    });

    it("a corrupt JSON list fails get with an error naming the table, key and column", async () => {
      const schema = await freshSchema();
      const store = await openPostgresStore({ pool: inSchema(schema) });
      try {
        const stored = user();
        await store.users.upsert(stored);
        await admin((client) =>
          client.query(
            `update "${schema}".entrance_users set roles = 'oops' where object_id = $1`,
            [stored.objectId],
          ),
        );
        const failure = store.users.get(stored.tenantId, stored.objectId);
        await expect(failure).rejects.toThrow(/entrance_users/);
        await expect(failure).rejects.toThrow(stored.objectId);
        await expect(failure).rejects.toThrow(/column roles is not valid JSON/);
        // The session-with-user read (one query, a join) reports the same row the same way.
        await expectJoinedReadToReportCorruptRoles(store, stored);
      } finally {
        await store.close();
      }
    });

    it("refuses a search_path that names no existing schema, saying how to fix it", async () => {
      const missing = `entrance_missing_${randomBytes(6).toString("hex")}`;
      await expect(openPostgresStore({ pool: inSchema(missing) })).rejects.toThrow(
        /search_path names no existing schema/,
      );
    });

    it("answers a health check while open, and not once closed", async () => {
      const store = await openPostgresStore({ pool: inSchema(await freshSchema()) });
      expect((await storeHealth(store)).ok).toBe(true);
      await store.close();
      expect((await storeHealth(store)).ok).toBe(false);
    });

    it("close is idempotent", async () => {
      const store = await openPostgresStore({ pool: inSchema(await freshSchema()) });
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
});
