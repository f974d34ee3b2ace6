/**
 * A store composed of two different stores (composeStores) keeps every promise of the contracts:
 * the full conformance suite runs on memory sessions with a SQLite directory, and the reverse.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeStores, createMemoryStore } from "@entrance/core";
import { storeConformance } from "@entrance/store-conformance";
import { afterAll } from "vitest";
import { openSqliteStore } from "../src/index.js";

const folder = await mkdtemp(join(tmpdir(), "entrance-composed-"));
afterAll(() => rm(folder, { recursive: true, force: true }));

const directoryFile = join(folder, `${randomUUID()}.db`);
storeConformance("memory sessions with a SQLite directory", async ({ now }) =>
  composeStores({
    session: createMemoryStore({ now }),
    directory: await openSqliteStore({ filename: directoryFile, now }),
  }),
);

// Every store the suite opens here shares the SQLite file, so the locks test across stores runs
// through composed stores too.
const sessionFile = join(folder, `${randomUUID()}.db`);
storeConformance("SQLite sessions with a memory directory", async ({ now }) =>
  composeStores({
    session: await openSqliteStore({ filename: sessionFile, now }),
    directory: createMemoryStore({ now }),
  }),
);
