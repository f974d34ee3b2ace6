import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findViolations, importsOf } from "../scripts/import-boundaries.mjs";

const ROOT = join(import.meta.dirname, "..");
const trees: string[] = [];

afterEach(() => {
  for (const tree of trees.splice(0)) rmSync(tree, { recursive: true, force: true });
});

/** A repository of the given packages, each with the given source files. */
function repository(packages: Record<string, Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), "entrance-boundaries-"));
  trees.push(root);
  for (const [folder, files] of Object.entries(packages)) {
    const dir = join(root, "packages", folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `@entrance/${folder}` }));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, "src", file)), { recursive: true });
      writeFileSync(join(dir, "src", file), text);
    }
  }
  return root;
}

/** "file:line specifier" of each violation in a repository of one file besides the others. */
function crossings(packages: Record<string, Record<string, string>>): string[] {
  return findViolations(repository(packages)).map((v) => `${v.file}:${v.line} ${v.specifier}`);
}

describe("import boundaries between the Entrance packages", () => {
  it("hold in this repository's packages/*/src", () => {
    expect(findViolations(ROOT)).toEqual([]);
  });

  it("read static, type-only, re-exported, side-effect and dynamic imports, not comments", () => {
    const text = [
      'import { type A, b } from "@entrance/core";',
      "import {",
      "  c,",
      '} from "@entrance/express";',
      'export * from "./local.js";',
      'export type { D } from "@entrance/store-sql";',
      'import "reflect-metadata";',
      'const e = await import("@entrance/emulator");',
      '// import f from "@entrance/admin";',
      ' * import { g } from "express";',
    ].join("\n");
    expect(importsOf(text).map((i) => `${i.line} ${i.specifier}${i.dynamic ? " ()" : ""}`)).toEqual(
      [
        "1 @entrance/core",
        "4 @entrance/express",
        "5 ./local.js",
        "6 @entrance/store-sql",
        "7 reflect-metadata",
        "8 @entrance/emulator ()",
      ],
    );
  });

  it("fail when core imports an adapter, a store or the emulator", () => {
    expect(
      crossings({
        core: {
          "a.ts": 'import { entrance } from "@entrance/express";',
          "b.ts": 'export type { SqlStore } from "@entrance/store-sql";',
          "c/d.ts": 'const { startEmulator } = await import("@entrance/emulator");',
          "e.ts": 'import type { Request } from "express";',
        },
        express: {},
        "store-sql": {},
        emulator: {},
      }),
    ).toEqual([
      "packages/core/src/a.ts:1 @entrance/express",
      "packages/core/src/b.ts:1 @entrance/store-sql",
      "packages/core/src/c/d.ts:1 @entrance/emulator",
      "packages/core/src/e.ts:1 express",
    ]);
  });

  it("fail when the emulator imports core", () => {
    expect(
      crossings({
        emulator: { "a.ts": 'import type { Entrance } from "@entrance/core";' },
        core: {},
      }),
    ).toEqual(["packages/emulator/src/a.ts:1 @entrance/core"]);
  });

  it("fail when an adapter or a store imports another adapter or store", () => {
    expect(
      crossings({
        express: {
          "ok.ts":
            'import { createEntrance } from "@entrance/core";\nimport express from "express";',
          "a.ts": 'import { hono } from "@entrance/hono";',
          "b.ts": 'import { openRedisStore } from "@entrance/store-redis";',
        },
        hono: { "a.ts": 'import type { Request } from "express";' },
        "store-sql": { "a.ts": 'import { entrance } from "@entrance/express";' },
        "store-redis": { "a.ts": 'export { openSqlStore } from "@entrance/store-sql";' },
        core: {},
      }),
    ).toEqual([
      "packages/express/src/a.ts:1 @entrance/hono",
      "packages/express/src/b.ts:1 @entrance/store-redis",
      "packages/hono/src/a.ts:1 express",
      "packages/store-redis/src/a.ts:1 @entrance/store-sql",
      "packages/store-sql/src/a.ts:1 @entrance/express",
    ]);
  });

  it("let core load the default store by name in storage/peers.ts only, and an adapter only with import()", () => {
    expect(
      crossings({
        core: {
          "storage/peers.ts": 'const SQL = "@entrance/store-sql";\nawait import(SQL);',
          "storage/other.ts": "// loads nothing\nconst REDIS = '@entrance/store-redis';",
          "flow/eager.ts": 'import("@entrance/store-sql");',
        },
        express: {
          "lazy.ts": 'const sql = await import("@entrance/store-sql");',
          "eager.ts": 'import { openSqlStore } from "@entrance/store-sql";',
        },
        "store-sql": {},
        "store-redis": {},
      }),
    ).toEqual([
      "packages/core/src/flow/eager.ts:1 @entrance/store-sql",
      "packages/core/src/storage/other.ts:2 @entrance/store-redis",
      "packages/express/src/eager.ts:1 @entrance/store-sql",
    ]);
  });

  it("let admin import core, and Express only in its express subpath", () => {
    expect(
      crossings({
        admin: {
          "index.ts": 'export { createAdmin } from "./admin.js";',
          "admin.ts": 'import type { Entrance } from "@entrance/core";',
          "express.ts":
            'import type { EntranceRequestContext } from "@entrance/express";\nimport type { Request } from "express";',
          "pages.ts": 'import type { Request } from "express";',
          "views.ts": 'import type { EntranceRequestContext } from "@entrance/express";',
          "store.ts": 'import { openSqlStore } from "@entrance/store-sql";',
        },
        core: {},
        express: {},
        "store-sql": {},
      }),
    ).toEqual([
      "packages/admin/src/pages.ts:1 express",
      "packages/admin/src/store.ts:1 @entrance/store-sql",
      "packages/admin/src/views.ts:1 @entrance/express",
    ]);
  });

  it("let admin import Fastify and its adapter only in its fastify subpath", () => {
    expect(
      crossings({
        admin: {
          "fastify.ts":
            'import { sendResponse } from "@entrance/fastify";\nimport type { FastifyReply } from "fastify";',
          "express.ts": 'import type { FastifyReply } from "fastify";',
        },
        fastify: { "a.ts": 'import fp from "fastify-plugin";' },
        core: {},
      }),
    ).toEqual(["packages/admin/src/express.ts:1 fastify"]);
  });

  it("let the adapter conformance suite use the emulator, and no test support an adapter", () => {
    expect(
      crossings({
        "adapter-conformance": {
          "a.ts": 'import { startEmulator } from "@entrance/emulator";',
          "b.ts": 'import { pickAccount } from "@entrance/emulator/testing";',
          "c.ts": 'import { entrance } from "@entrance/express";',
        },
        "store-conformance": { "a.ts": 'import { startEmulator } from "@entrance/emulator";' },
        emulator: {},
        express: {},
      }),
    ).toEqual([
      "packages/adapter-conformance/src/c.ts:1 @entrance/express",
      "packages/store-conformance/src/a.ts:1 @entrance/emulator",
    ]);
  });

  it("fail on a package that has no kind yet, so that a new one is placed on purpose", () => {
    expect(findViolations(repository({ "store-mongo": {} }))).toEqual([
      expect.objectContaining({
        file: "packages/store-mongo",
        rule: expect.stringMatching(/KINDS/),
      }),
    ]);
  });
});
