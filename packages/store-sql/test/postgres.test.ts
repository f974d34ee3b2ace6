import { randomBytes, randomUUID } from "node:crypto";
import type { UserRecord } from "@entrance/core";
import { storeConformance } from "@entrance/store-conformance";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireComponent } from "../../emulator/test/support/require.js";
import { openPostgresStore, openSqlStore } from "../src/index.js";

/** The test database; CI and the dev container serve it with trust authentication. */
const DATABASE_URL =
  process.env.ENTRANCE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Every migration this version applies, in order. */
const MIGRATIONS = [
  "0001_initial",
  "0002_locks",
  "0003_admin_and_audit",
  "0004_owners_counts_and_sweeps",
];

/** Takes a schema back to the version before 0004_owners_counts_and_sweeps. */
async function undo0004(client: pg.Client, schema: string): Promise<void> {
  await client.query(`drop index "${schema}".entrance_login_transactions_owner_idx`);
  await client.query(`alter table "${schema}".entrance_login_transactions drop column owner`);
  await client.query(`alter table "${schema}".entrance_audit drop column count`);
  await client.query(`drop index "${schema}".entrance_sessions_idle_expires_idx`);
  await client.query(`drop index "${schema}".entrance_sessions_absolute_expires_idx`);
  await client.query(
    `delete from "${schema}".entrance_migration where name = '0004_owners_counts_and_sweeps'`,
  );
}

/** Takes a schema of the version before 0004 back to the version before 0003_admin_and_audit. */
async function undo0003(client: pg.Client, schema: string): Promise<void> {
  await client.query(`drop table "${schema}".entrance_audit`);
  await client.query(`drop index "${schema}".entrance_users_last_sign_in_idx`);
  await client.query(
    `alter table "${schema}".entrance_users drop column resolved_groups, ` +
      "drop column resolved_groups_at",
  );
  await client.query(
    `delete from "${schema}".entrance_migration where name = '0003_admin_and_audit'`,
  );
}

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

/** Runs SQL outside any store, as the test database's owner. */
async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
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

/** Pool options that put the store's tables in `schema`. */
const inSchema = (schema: string): pg.PoolConfig => ({
  connectionString: DATABASE_URL,
  options: `-c search_path=${schema}`,
});

const user = (): UserRecord => ({
  tenantId: randomUUID(),
  objectId: randomUUID(),
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

    const migrationsIn = (schema: string) =>
      admin(async (client) => {
        const result = await client.query(
          `select name, timestamp from "${schema}".entrance_migration order by name`,
        );
        return result.rows;
      });

    it("three stores opening a fresh schema at once all open, and migrate it once", async () => {
      const schema = await freshSchema();
      const stores = await Promise.all(
        [1, 2, 3].map(() => openPostgresStore({ pool: inSchema(schema) })),
      );
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
      expect((await migrationsIn(schema)).map((row) => row.name)).toStrictEqual(MIGRATIONS);
    });

    it("creates its tables in the search_path schema, all prefixed entrance_", async () => {
      const schema = await freshSchema();
      await (await openPostgresStore({ pool: inSchema(schema) })).close();
      const tables = await admin(async (client) => {
        const result = await client.query(
          "select table_name from information_schema.tables where table_schema = $1 order by 1",
          [schema],
        );
        return result.rows.map((row) => row.table_name);
      });
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

    it("keeps data across reopening, and reopening runs no migration again", async () => {
      const schema = await freshSchema();
      const stored = user();
      const first = await openPostgresStore({ pool: inSchema(schema) });
      await first.users.upsert(stored);
      await first.close();
      const before = await migrationsIn(schema);
      expect(before.map((row) => row.name)).toStrictEqual(MIGRATIONS);

      const second = await openPostgresStore({ pool: inSchema(schema) });
      expect(await second.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
      await second.close();
      expect(await migrationsIn(schema)).toStrictEqual(before);
    });

    it("upgrades a schema of version 0001: adds entrance_locks, keeps the data", async () => {
      const schema = await freshSchema();
      const stored = user();
      const old = await openPostgresStore({ pool: inSchema(schema) });
      await old.users.upsert(stored);
      await old.close();
      // Back to the schema of a version that knew only 0001_initial.
      await admin(async (client) => {
        await undo0004(client, schema);
        await undo0003(client, schema);
        await client.query(`drop table "${schema}".entrance_locks`);
        await client.query(`delete from "${schema}".entrance_migration where name = '0002_locks'`);
      });

      const upgraded = await openPostgresStore({ pool: inSchema(schema) });
      try {
        expect(await upgraded.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
        const release = await upgraded.locks?.acquire("refresh", 30);
        expect(release).toBeTypeOf("function");
        await release?.();
      } finally {
        await upgraded.close();
      }
      expect((await migrationsIn(schema)).map((row) => row.name)).toStrictEqual(MIGRATIONS);
    });

    it("upgrades a schema of version 0002: adds resolved groups and the audit log, keeps the data", async () => {
      const schema = await freshSchema();
      const stored = user();
      const old = await openPostgresStore({ pool: inSchema(schema) });
      await old.users.upsert(stored);
      await old.close();
      await admin(async (client) => {
        await undo0004(client, schema);
        await undo0003(client, schema);
      });

      const upgraded = await openPostgresStore({ pool: inSchema(schema) });
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
      expect((await migrationsIn(schema)).map((row) => row.name)).toStrictEqual(MIGRATIONS);
    });

    it("upgrades a schema of version 0003: keeps pending transactions and audit events readable", async () => {
      const schema = await freshSchema();
      await (await openPostgresStore({ pool: inSchema(schema) })).close();
      await admin(async (client) => {
        await undo0004(client, schema);
        await client.query(
          `insert into "${schema}".entrance_login_transactions (key, value, expires_at) ` +
            "values ($1, $2, $3)",
          ["old-state", "{}", Date.now() + 600_000],
        );
        await client.query(
          `insert into "${schema}".entrance_audit (at, type, detail) values ($1, $2, $3)`,
          [1, "sign_in", "signed in before the upgrade"],
        );
      });

      const upgraded = await openPostgresStore({ pool: inSchema(schema) });
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
      expect((await migrationsIn(schema)).map((row) => row.name)).toStrictEqual(MIGRATIONS);
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

    it("close is idempotent", async () => {
      const store = await openPostgresStore({ pool: inSchema(await freshSchema()) });
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
});
