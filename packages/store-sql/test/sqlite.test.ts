import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { type EntranceStore, storeHealth, type UserRecord } from "@entrance/core";
import { storeConformance } from "@entrance/store-conformance";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore, openSqlStore } from "../src/index.js";
import { MIGRATIONS, migrationSuite } from "./support/migration-suite.js";
import { expectJoinedReadToReportCorruptRoles } from "./support/session.js";

const folder = await mkdtemp(join(tmpdir(), "entrance-sqlite-"));
afterAll(() => rm(folder, { recursive: true, force: true }));

/** A database file in a folder that does not exist yet. */
const freshFile = () => join(folder, randomUUID(), "data", "entrance.db");

/** Reads a file with a connection of its own, outside the store. */
function inspect<T>(filename: string, read: (db: Database.Database) => T): T {
  const db = new Database(filename);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const user = (): UserRecord => ({
  tenantId: randomUUID(),
  objectId: randomUUID(),
  accountKind: "member",
  displayName: "Grace Hopper",
  username: "grace@contoso.example",
  mail: null,
  roles: ["Reader"],
  groups: [],
  groupsOverage: false,
  firstSignInAt: new Date("2025-01-01T00:00:00.001Z"),
  lastSignInAt: new Date("2025-01-02T00:00:00.002Z"),
  disabled: false,
  resolvedGroups: null,
});

const suiteFile = freshFile();
storeConformance("SQLite store", ({ now }) => openSqliteStore({ filename: suiteFile, now }));

describe("SQLite store", () => {
  migrationSuite({
    fresh: async () => {
      const filename = freshFile();
      return {
        open: (options) => openSqliteStore({ filename, ...options }),
        url: filename,
        exec: async (statements) => {
          inspect(filename, (db) => db.exec(statements));
        },
        query: async (statement) =>
          inspect(filename, (db) => db.prepare(statement).all() as Record<string, unknown>[]),
      };
    },
    // sqlite_sequence is SQLite's own: it holds entrance_audit's AUTOINCREMENT counter.
    tablesQuery:
      "select name from sqlite_master where type = 'table' and name <> 'sqlite_sequence' " +
      "order by name",
  });

  it("four processes migrating one fresh file at once each finish, applying each migration once", async () => {
    const filename = freshFile();
    await mkdir(dirname(filename), { recursive: true });
    const built = pathToFileURL(join(import.meta.dirname, "../dist/index.js")).href;
    const script =
      `const { migrate } = await import(${JSON.stringify(built)});` +
      `console.log(JSON.stringify(await migrate(${JSON.stringify(filename)})));`;
    const reports = await Promise.all(
      [1, 2, 3, 4].map(
        () =>
          new Promise<{ applied: string[] }>((resolve, reject) => {
            execFile(process.execPath, ["--input-type=module", "-e", script], (error, stdout) =>
              error ? reject(error) : resolve(JSON.parse(stdout)),
            );
          }),
      ),
    );
    expect(reports.flatMap((report) => report.applied).sort()).toStrictEqual(MIGRATIONS);
    const recorded = inspect(filename, (db) =>
      db.prepare("select name from entrance_migration order by name").pluck().all(),
    );
    expect(recorded).toStrictEqual(MIGRATIONS);
  });

  it("keeps a token partition's index before its data in the row, fresh or upgraded", async () => {
    // SQLite reads a row's columns in order: the index must come before the data, which spills
    // to a chain of overflow pages, for a cache hit to read it without walking that chain.
    const columns = (filename: string) =>
      inspect(filename, (db) =>
        db
          .prepare("select name from pragma_table_info('entrance_token_partitions') order by cid")
          .pluck()
          .all(),
      );
    const fresh = freshFile();
    await (await openSqliteStore({ filename: fresh })).close();
    expect(columns(fresh)).toStrictEqual(["partition", "access_index", "data", "updated_at"]);

    const upgraded = freshFile();
    const old = await openSqliteStore({ filename: upgraded });
    await old.tokens.put("oid.tid", new Uint8Array([1, 2, 3]));
    await old.close();
    inspect(upgraded, (db) =>
      db.exec(
        "alter table entrance_token_partitions drop column access_index;" +
          "delete from entrance_migration where name = '0006_token_partition_index';",
      ),
    );
    expect(columns(upgraded)).toStrictEqual(["partition", "data", "updated_at"]);
    const reopened = await openSqliteStore({ filename: upgraded });
    try {
      expect(columns(upgraded)).toStrictEqual(["partition", "access_index", "data", "updated_at"]);
      expect(await reopened.tokens.get("oid.tid")).toStrictEqual(new Uint8Array([1, 2, 3]));
      expect(await reopened.tokens.getIndex("oid.tid")).toBeNull();
    } finally {
      await reopened.close();
    }
  });

  it("answers a health check while open, and not once closed", async () => {
    const store = await openSqliteStore({ filename: freshFile() });
    expect((await storeHealth(store)).ok).toBe(true);
    await store.close();
    expect((await storeHealth(store)).ok).toBe(false);
  });

  it("creates the file's folder and puts the database in WAL mode", async () => {
    const filename = freshFile();
    const store = await openSqliteStore({ filename });
    await store.close();
    expect(inspect(filename, (db) => db.pragma("journal_mode", { simple: true }))).toBe("wal");
  });

  it("creates the indexes of the admin lists, the transaction caps and the sweeps", async () => {
    const filename = freshFile();
    await (await openSqliteStore({ filename })).close();
    const indexes = inspect(filename, (db) =>
      db
        .prepare(
          "select name from sqlite_master where type = 'index' and sql is not null order by name",
        )
        .pluck()
        .all(),
    );
    expect(indexes).toStrictEqual([
      "entrance_audit_at_idx",
      "entrance_audit_user_idx",
      "entrance_login_transactions_expires_idx",
      "entrance_login_transactions_owner_idx",
      "entrance_sessions_absolute_expires_idx",
      "entrance_sessions_idle_expires_idx",
      "entrance_sessions_sid_idx",
      "entrance_sessions_user_idx",
      "entrance_users_last_sign_in_idx",
    ]);
  });

  it("folds the case of non-ASCII letters in searches, as the memory store does", async () => {
    const store = await openSqliteStore({ filename: ":memory:" });
    try {
      const stored = { ...user(), displayName: "Zoë Ångström" };
      await store.users.upsert(stored);
      expect(await store.users.list({ query: "ZOË ÅNGSTRÖM", limit: 1, offset: 0 })).toStrictEqual({
        users: [stored],
        total: 1,
      });
      await store.audit.append({
        at: new Date(),
        type: "user_disabled",
        tenantId: null,
        objectId: null,
        actor: null,
        detail: "Ärger über Ölpreise",
        aadsts: null,
        ip: null,
      });
      const found = await store.audit.list({ query: "ärger ÜBER", limit: 1, offset: 0 });
      expect(found.total).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("of concurrent takes through two stores on one file, exactly one gets the value", async () => {
    const filename = freshFile();
    const [a, b] = await Promise.all([
      openSqliteStore({ filename }),
      openSqliteStore({ filename }),
    ]);
    try {
      await a?.transactions.put("state", "value", 60, { id: "browser", maxPending: 10 });
      const takes = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b)?.transactions.take("state", "browser"),
      );
      expect((await Promise.all(takes)).filter((value) => value !== null)).toStrictEqual(["value"]);
    } finally {
      await Promise.all([a?.close(), b?.close()]);
    }
  });

  it("concurrent puts of one browser through two stores on one file leave at most maxPending", async () => {
    const filename = freshFile();
    const [a, b] = await Promise.all([
      openSqliteStore({ filename }),
      openSqliteStore({ filename }),
    ]);
    try {
      const browser = { id: "busy-browser", maxPending: 5 };
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? a : b)?.transactions.put(`state-${i}`, "{}", 60, browser),
        ),
      );
      const owned = inspect(filename, (db) =>
        db
          .prepare("select count(*) from entrance_login_transactions where owner = ?")
          .pluck()
          .get(browser.id),
      );
      expect(owned).toBeGreaterThanOrEqual(1);
      expect(owned).toBeLessThanOrEqual(browser.maxPending);
    } finally {
      await Promise.all([a?.close(), b?.close()]);
    }
  });

  it("sweeps expired sessions through the expiry indexes, not a scan of the table", async () => {
    const filename = freshFile();
    await (await openSqliteStore({ filename })).close();
    // The statement SessionStore.deleteExpired sends.
    const plan = inspect(filename, (db) =>
      db
        .prepare(
          'explain query plan delete from "entrance_sessions" ' +
            'where ("idle_expires_at" <= ? or "absolute_expires_at" <= ?)',
        )
        .all(0, 0)
        .map((step) => (step as { detail: string }).detail)
        .join("\n"),
    );
    expect(plan).toContain("entrance_sessions_idle_expires_idx");
    expect(plan).toContain("entrance_sessions_absolute_expires_idx");
    expect(plan).not.toMatch(/SCAN entrance_sessions(?! USING)/);
  });

  it("works in memory", async () => {
    const store = await openSqliteStore({ filename: ":memory:" });
    const stored = user();
    await store.users.upsert(stored);
    expect(await store.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
    await store.close();
  });

  it("close is idempotent", async () => {
    const store = await openSqliteStore({ filename: ":memory:" });
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });

  it("refuses bad options with errors that name them", async () => {
    await expect(openSqliteStore({ filename: "" })).rejects.toThrow(/filename/);
    const filename = freshFile();
    await expect(openSqliteStore({ filename, busyTimeoutMs: -1 })).rejects.toThrow(/busyTimeoutMs/);
  });

  it("names the file when it cannot be opened", async () => {
    const blocker = freshFile();
    await (await openSqliteStore({ filename: blocker })).close();
    // A path "inside" a regular file: its folder cannot be created.
    const filename = join(blocker, "entrance.db");
    await expect(openSqliteStore({ filename })).rejects.toThrow(
      `Could not open the SQLite database ${filename}`,
    );
  });
});

describe("SQLite store with corrupt rows", () => {
  let store: EntranceStore | undefined;
  const filename = freshFile();
  afterAll(() => store?.close());

  /** Stores a user, then damages one column of its row behind the store's back. */
  async function damaged(column: string, value: string): Promise<UserRecord> {
    store ??= await openSqliteStore({ filename });
    const stored = user();
    await store.users.upsert(stored);
    inspect(filename, (db) =>
      db
        .prepare(`update entrance_users set ${column} = ? where tenant_id = ? and object_id = ?`)
        .run(value, stored.tenantId, stored.objectId),
    );
    return stored;
  }

  it("a corrupt JSON list fails get with an error naming the table, key and column", async () => {
    const stored = await damaged("roles", "[not json");
    const failure = store?.users.get(stored.tenantId, stored.objectId);
    await expect(failure).rejects.toThrow(/entrance_users/);
    await expect(failure).rejects.toThrow(stored.objectId);
    await expect(failure).rejects.toThrow(/column roles is not valid JSON/);
  });

  it("a corrupt user fails the session-with-user read as it fails users.get", async () => {
    const stored = await damaged("roles", "[not json");
    expect(store?.signedIn).toBeTypeOf("function");
    // A copy spread from the store, whose parts may be others, does not carry the joined read.
    expect({ ...store }.signedIn).toBeUndefined();
    await expectJoinedReadToReportCorruptRoles(store, stored);
  });

  it("JSON that is not a list of strings fails the same way", async () => {
    const stored = await damaged("groups", '{"a":1}');
    await expect(store?.users.get(stored.tenantId, stored.objectId)).rejects.toThrow(
      /column groups is not a JSON array of strings/,
    );
  });

  it("a corrupt time fails with an error naming the column", async () => {
    const stored = await damaged("first_sign_in_at", "yesterday");
    await expect(store?.users.get(stored.tenantId, stored.objectId)).rejects.toThrow(
      /column first_sign_in_at is not an integer of epoch milliseconds/,
    );
  });

  it("resolved groups without their time (or the reverse) fail get, naming the columns", async () => {
    const stored = await damaged("resolved_groups", "[]");
    await expect(store?.users.get(stored.tenantId, stored.objectId)).rejects.toThrow(
      /column resolved_groups_at is not null exactly when resolved_groups is null/,
    );
  });

  it("corrupt resolved groups fail get and list, naming the column", async () => {
    const stored = await damaged("resolved_groups", '["a", 1]');
    inspect(filename, (db) =>
      db
        .prepare("update entrance_users set resolved_groups_at = 1 where object_id = ?")
        .run(stored.objectId),
    );
    await expect(store?.users.get(stored.tenantId, stored.objectId)).rejects.toThrow(
      /column resolved_groups is not a JSON array of strings/,
    );
    await expect(
      store?.users.list({ query: stored.objectId, limit: 1, offset: 0 }),
    ).rejects.toThrow(/entrance_users/);
  });

  it("a corrupt audit row fails list with an error naming the table, id and column", async () => {
    store ??= await openSqliteStore({ filename });
    const tenantId = randomUUID();
    const event = await store.audit.append({
      at: new Date(),
      type: "user_enabled",
      tenantId,
      objectId: null,
      actor: { tenantId: "t", objectId: "o", name: null },
      detail: "enabled",
      aadsts: null,
      ip: null,
    });
    inspect(filename, (db) =>
      db.prepare("update entrance_audit set actor = '[1]' where id = ?").run(Number(event.id)),
    );
    const failure = store.audit.list({ tenantId, limit: 1, offset: 0 });
    await expect(failure).rejects.toThrow(/entrance_audit \(id "\d+"\)/);
    await expect(failure).rejects.toThrow(/column actor is not a JSON object/);
  });

  it("the user's next sign-in (upsert) repairs corrupt lists", async () => {
    const stored = await damaged("roles", "[not json");
    await expect(store?.users.upsert(stored)).resolves.toStrictEqual(stored);
    expect(await store?.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
  });
});

describe("openSqlStore with SQLite URLs", () => {
  it("opens the same file as a plain path, a file: URL and a sqlite: URL", async () => {
    const filename = freshFile();
    const stored = user();
    const byPath = await openSqlStore(filename);
    await byPath.users.upsert(stored);
    await byPath.close();
    for (const url of [pathToFileURL(filename).href, `sqlite:${filename}`]) {
      const store = await openSqlStore(url);
      expect(await store.users.get(stored.tenantId, stored.objectId)).toStrictEqual(stored);
      await store.close();
    }
  });

  it("opens an in-memory database for sqlite::memory:", async () => {
    const store = await openSqlStore("sqlite::memory:");
    expect(await store.users.get("t", "o")).toBeNull();
    await store.close();
  });

  it("loads neither the PostgreSQL nor the MySQL driver in a process on SQLite", async () => {
    // A driver loaded for nothing weighs on every request of the process: a larger heap for the
    // collector to go through. Each is loaded when a URL names its database.
    const built = pathToFileURL(join(import.meta.dirname, "../dist/index.js")).href;
    const script =
      `const { createRequire } = await import("node:module");` +
      `const { openSqlStore } = await import(${JSON.stringify(built)});` +
      `const store = await openSqlStore(${JSON.stringify(freshFile())});` +
      `await store.users.get("t", "o");` +
      `await store.close();` +
      `const loaded = Object.keys(createRequire(import.meta.url).cache);` +
      `console.log(JSON.stringify(["pg", "mysql2", "better-sqlite3"].map((name) =>` +
      `  loaded.some((file) => file.includes(\`/node_modules/\${name}/\`)))));`;
    const [pg, mysql, sqlite] = await new Promise<boolean[]>((resolve, reject) => {
      execFile(process.execPath, ["--input-type=module", "-e", script], (error, stdout) =>
        error ? reject(error) : resolve(JSON.parse(stdout)),
      );
    });
    expect({ pg, mysql, sqlite }).toStrictEqual({ pg: false, mysql: false, sqlite: true });
  });
});
