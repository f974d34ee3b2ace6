/**
 * The store going away under a running app: a PostgreSQL table locked by another session (a store
 * that stops answering) and a backend terminated mid-query (the connection cut). Requests get
 * core's 503 page or JSON within `storeTimeoutMs`, nobody is signed out, nothing stored is lost,
 * and the app answers again by itself once the store does.
 */
import { randomBytes } from "node:crypto";
import { createMemoryStore } from "@entrance/core";
import { openPostgresStore } from "@entrance/store-sql";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireAuth } from "../src/index.js";
import { startTestApp, type TestApp } from "./support/app.js";

const DATABASE_URL =
  process.env.ENTRANCE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `entrance_outage_${randomBytes(6).toString("hex")}`;
const applicationName = `entrance-outage-${randomBytes(4).toString("hex")}`;
const inSchema = { connectionString: DATABASE_URL, options: `-c search_path=${schema}` };

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(inSchema);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const counts = () =>
  admin(async (client) => {
    const count = async (table: string) =>
      Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
    return {
      users: await count("entrance_users"),
      sessions: await count("entrance_sessions"),
      partitions: await count("entrance_token_partitions"),
    };
  });

let app: TestApp;
let cookie: string;

beforeAll(async () => {
  await admin((client) => client.query(`create schema "${schema}"`));
  const store = await openPostgresStore({
    pool: { ...inSchema, application_name: applicationName },
    onError: () => {},
  });
  app = await startTestApp(
    (express) => {
      express.get("/page", requireAuth(), (req, res) => {
        res.json({ name: req.entrance.user?.displayName });
      });
    },
    // Every request reads the store, so each one meets the outage.
    { store, session: { cacheSeconds: 0 }, storeTimeoutMs: 300 },
  );
  cookie = await app.signIn("megan@contoso.onmicrosoft.com");
});

afterAll(async () => {
  await app?.close();
  await admin((client) => client.query(`drop schema if exists "${schema}" cascade`));
});

const page = (accept = "application/json") =>
  fetch(`${app.base}/page`, { headers: { cookie, accept }, redirect: "manual" });

/** Runs `during` while another session holds an exclusive lock on the sessions table. */
async function whileLocked(during: (locker: pg.Client) => Promise<void>): Promise<void> {
  const locker = new pg.Client(inSchema);
  await locker.connect();
  try {
    await locker.query("begin");
    await locker.query("lock table entrance_sessions in access exclusive mode");
    await during(locker);
  } finally {
    await locker.query("rollback").catch(() => {});
    await locker.end();
  }
}

describe("a store that stops answering", () => {
  it("gets a 503 page or JSON with Retry-After, then the same session works again", async () => {
    expect(await (await page()).json()).toEqual({ name: "Megan Bowen" });
    const before = await counts();
    expect((await app.core.health()).ok).toBe(true);
    await whileLocked(async () => {
      // The probe says which side is down, and answers within the store timeout.
      const health = await app.core.health();
      expect(health.ok).toBe(false);
      expect(health.checks.sessionStore).toMatchObject({ ok: false, error: "store_unavailable" });
      expect(health.checks.directoryStore.ok).toBe(true);
      expect((await app.core.healthResponse()).status).toBe(503);
      const json = await page();
      expect(json.status).toBe(503);
      expect(json.headers.get("retry-after")).toBe("5");
      expect(await json.json()).toMatchObject({ error: "store_unavailable" });
      const html = await page("text/html");
      expect(html.status).toBe(503);
      const text = await html.text();
      expect(text).toContain("This app is briefly unavailable");
      // Core's page, not Express's: no stack trace, no driver's words.
      expect(text).not.toMatch(/\s+at \S+ \(|\.js:\d+|entrance_sessions|relation/);
    });
    const after = await page();
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ name: "Megan Bowen" });
    expect((await app.core.healthResponse()).status).toBe(200);
    expect(await counts()).toEqual(before);
  });
});

describe("a connection cut mid-query", () => {
  it("answers 503 for the request that lost it; the pool reconnects for the next", async () => {
    const before = await counts();
    await whileLocked(async (locker) => {
      const waiting = page();
      // The app's query is now queued behind the lock: terminate the backend that runs it.
      await waitFor(async () => {
        const { rows } = await locker.query(
          "select count(*) as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'",
          [applicationName],
        );
        return Number(rows[0].n) > 0;
      });
      await locker.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1",
        [applicationName],
      );
      const cut = await waiting;
      expect(cut.status).toBe(503);
      expect(await cut.json()).toMatchObject({ error: "store_unavailable" });
    });
    const after = await page();
    expect(after.status).toBe(200);
    expect(await counts()).toEqual(before);
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the condition did not come true within 2 s");
}

describe("a store that fails outright", () => {
  it("answers core's store_failed, never Express's own error page", async () => {
    const store = createMemoryStore();
    const closing = await startTestApp(
      (express) => {
        express.get("/page", requireAuth(), (_req, res) => {
          res.send("never");
        });
      },
      { store, session: { cacheSeconds: 0 } },
    );
    try {
      const signedIn = await closing.signIn("megan@contoso.onmicrosoft.com");
      await store.close();
      const res = await fetch(`${closing.base}/page`, {
        headers: { cookie: signedIn, accept: "application/json" },
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ error: "store_failed" });
    } finally {
      await closing.close();
    }
  });
});
