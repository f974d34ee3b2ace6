/**
 * `entrance migrate` on real databases — a fresh SQLite file and a fresh PostgreSQL schema —
 * and `doctor`'s read-only view of the same databases before and after: "not migrated" changes
 * into "up to date", and doctor itself never migrates.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { schemaStatus } from "@entrance/store-sql";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireComponent } from "../../emulator/test/support/require.js";
import { doctor, main, runMigrate } from "../src/index.js";
import { emulatedApp } from "./support/emulated-app.js";

const POSTGRES =
  process.env.ENTRANCE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ALL = [
  "0001_initial",
  "0002_locks",
  "0003_admin_and_audit",
  "0004_owners_counts_and_sweeps",
  "0005_account_kind",
  "0006_token_partition_index",
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "entrance-cli-migrate-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the command line in `dir`, capturing what it prints. */
async function cli(argv: string[], env: Record<string, string | undefined>) {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    cwd: dir,
    env,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { status, stdout, stderr };
}

describe("migrate on SQLite", () => {
  it("applies every migration to a fresh file, then finds nothing to do", async () => {
    const env = { DATABASE_URL: "data/app.db" }; // relative: to the app's folder
    const first = await cli(["migrate"], env);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(
      `applied ${ALL.length} migration(s) to the SQLite file data/app.db: ${ALL.join(", ")}`,
    );
    expect(existsSync(join(dir, "data", "app.db"))).toBe(true);
    const status = await schemaStatus(join(dir, "data", "app.db"));
    expect(status).toMatchObject({ state: "answered", pending: [], unknown: [] });

    const again = await cli(["migrate"], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("is up to date; nothing to apply");
  });

  it("takes DATABASE_URL from .env, and migrates the default file without one", async () => {
    await writeFile(join(dir, ".env"), "DATABASE_URL=sqlite:from-env-file.db\n");
    const fromFile = await runMigrate({ cwd: dir, env: {} });
    expect(fromFile).toMatchObject({ ok: true, applied: ALL });
    expect(existsSync(join(dir, "from-env-file.db"))).toBe(true);
    await rm(join(dir, ".env"));
    const byDefault = await runMigrate({ cwd: dir, env: {} });
    expect(byDefault).toMatchObject({ ok: true, applied: ALL });
    expect(existsSync(join(dir, ".entrance", "entrance.db"))).toBe(true);
  });

  it("fails with status 1 and a clear message, never the URL, when it cannot", async () => {
    const bad = await cli(["migrate"], { DATABASE_URL: "oracle://scott:tiger@db/x" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unsupported scheme "oracle:"/);
    expect(bad.stderr).not.toContain("tiger");
  });
});

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const describeWithPostgres = requireComponent(
  "PostgreSQL",
  await postgresReachable(),
  "apt-get install postgresql && service postgresql start && createdb -h 127.0.0.1 -U postgres test",
);

describeWithPostgres("migrate on PostgreSQL", () => {
  const schema = `entrance_cli_${randomBytes(6).toString("hex")}`;
  const url = `${POSTGRES}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  beforeAll(() => admin(`create schema "${schema}"`));
  afterAll(() => admin(`drop schema if exists "${schema}" cascade`));

  it("doctor says not migrated, migrate applies the schema, doctor says up to date", async () => {
    const app = await emulatedApp();
    try {
      const database = async () =>
        (
          await doctor({ cwd: app.dir, env: app.env({ DATABASE_URL: url }), ca: app.caPath })
        ).filter((f) => f.check === "database" || f.severity === "error");
      expect(await database()).toMatchObject([
        { code: "database_not_migrated", severity: "error" },
      ]);
      expect(await schemaStatus(url)).toMatchObject({ state: "answered", pending: ALL }); // unchanged

      const migrated = await cli(["migrate"], { DATABASE_URL: url });
      expect(migrated.status).toBe(0);
      expect(migrated.stdout).toContain(
        `applied ${ALL.length} migration(s) to the PostgreSQL database of DATABASE_URL: ${ALL.join(", ")}`,
      );
      expect(migrated.stdout).not.toContain("postgres://");
      const after = await database();
      expect(after.map((f) => `${f.code}: ${f.message}`)).toEqual([
        expect.stringMatching(/^database_ok: /),
      ]);
    } finally {
      await app.stop();
    }
  });
});

const MYSQL = process.env.ENTRANCE_TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";

/** Runs one statement as the server's administrator. */
async function mysqlAdmin(statement: string): Promise<void> {
  const { default: mysql } = await import("mysql2/promise");
  const connection = await mysql.createConnection({ uri: MYSQL, connectTimeout: 2_000 });
  try {
    await connection.query(statement);
  } finally {
    await connection.end();
  }
}

const describeWithMysql = requireComponent(
  "MariaDB (or MySQL)",
  await mysqlAdmin("select 1").then(
    () => true,
    () => false,
  ),
  "apt-get install mariadb-server && service mariadb start",
);

describeWithMysql("migrate on MariaDB/MySQL", () => {
  const database = `entrance_cli_${randomBytes(6).toString("hex")}`;
  const url = (() => {
    const parsed = new URL(MYSQL);
    parsed.pathname = `/${database}`;
    return parsed.href.replace(/^mysql:/, "mariadb:");
  })();
  beforeAll(() => mysqlAdmin(`create database \`${database}\``));
  afterAll(() => mysqlAdmin(`drop database if exists \`${database}\``));

  it("schemaStatus reads a fresh database as lacking everything; migrate applies it", async () => {
    expect(await schemaStatus(url)).toEqual({
      state: "answered",
      dialect: "mysql",
      pending: ALL,
      unknown: [],
    });
    const migrated = await cli(["migrate"], { DATABASE_URL: url });
    expect(migrated.stderr).toBe("");
    expect(migrated.stdout).toContain(
      `applied ${ALL.length} migration(s) to the MySQL database of DATABASE_URL`,
    );
    expect(await schemaStatus(url)).toEqual({
      state: "answered",
      dialect: "mysql",
      pending: [],
      unknown: [],
    });
  });
});
