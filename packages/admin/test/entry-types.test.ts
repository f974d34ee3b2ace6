import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../..");
const DIST = join(ROOT, "packages/admin/dist");
const run = promisify(execFile);

/** Relative modules a declaration file reaches: `from "./x.js"`, `import("./x.js")`, `/// <reference path>`. */
const RELATIVE_REFERENCES = [
  /\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g,
  /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  /\/\/\/\s*<reference\s+path=["']([^"']+)["']/g,
];

/** Every declaration file of dist/ that `entry` reaches through relative references, itself included. */
function reachableDeclarations(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    const text = readFileSync(file, "utf8");
    seen.set(file, text);
    for (const pattern of RELATIVE_REFERENCES) {
      for (const [, specifier = ""] of text.matchAll(pattern)) {
        const target = resolve(dirname(file), specifier).replace(/\.js$/, ".d.ts");
        pending.push(existsSync(target) ? target : `${target.replace(/\.d\.ts$/, "")}/index.d.ts`);
      }
    }
  }
  return seen;
}

beforeAll(async () => {
  // The published types are the built ones: build the package (and what it references) first.
  await run(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-b", "packages/admin"],
    { cwd: ROOT },
  );
}, 120_000);

describe("@entrance/admin's main entry", () => {
  it("has type declarations that never mention express, fastify or hono, so an app without them type-checks", () => {
    const declarations = reachableDeclarations(join(DIST, "index.d.ts"));
    const files = [...declarations.keys()].map((file) => relative(DIST, file));
    // The walk follows the entry's re-exports (else it would prove nothing).
    expect(files).toEqual(expect.arrayContaining(["index.d.ts", "admin.d.ts", "options.d.ts"]));
    expect(files).not.toContain("express.d.ts");
    expect(files).not.toContain("fastify.d.ts");
    expect(files).not.toContain("hono.d.ts");
    for (const [file, text] of declarations) {
      expect(text.match(/.*(express|fastify|hono).*/i)?.[0], relative(ROOT, file)).toBeUndefined();
    }
  });

  it("leaves Express to the @entrance/admin/express subpath", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages/admin/package.json"), "utf8"));
    expect(manifest.exports["./express"]).toEqual({
      types: "./dist/express.d.ts",
      source: "./src/express.ts",
      default: "./dist/express.js",
    });
    expect(readFileSync(join(DIST, "express.d.ts"), "utf8")).toMatch(/from "express"/);
  });

  it("leaves Fastify to the @entrance/admin/fastify subpath", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages/admin/package.json"), "utf8"));
    expect(manifest.exports["./fastify"]).toEqual({
      types: "./dist/fastify.d.ts",
      source: "./src/fastify.ts",
      default: "./dist/fastify.js",
    });
    expect(readFileSync(join(DIST, "fastify.d.ts"), "utf8")).toMatch(/from "fastify"/);
  });

  it("leaves Hono to the @entrance/admin/hono subpath", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages/admin/package.json"), "utf8"));
    expect(manifest.exports["./hono"]).toEqual({
      types: "./dist/hono.d.ts",
      source: "./src/hono.ts",
      default: "./dist/hono.js",
    });
    expect(readFileSync(join(DIST, "hono.d.ts"), "utf8")).toMatch(/from "hono"/);
  });
});
