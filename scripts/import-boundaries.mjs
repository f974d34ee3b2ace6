#!/usr/bin/env node
/**
 * Which Entrance package may import which, read from the `import`/`export … from` and `import()`
 * specifiers of every TypeScript file under packages/{name}/src. test/import-boundaries.test.ts
 * runs it in `npm test`; `node scripts/import-boundaries.mjs` lists what crosses a boundary.
 *
 * - core imports no other Entrance package: adapters, stores and the emulator build on it. It
 *   loads the default store's packages (@entrance/store-sql, @entrance/store-redis: optional
 *   peers) by name at run time, and only src/storage/peers.ts names them: no other core file may
 *   hold either name in a string.
 * - the emulator stands alone: it imports no other Entrance package (core least of all, or the
 *   emulator could not tell core's mistakes from its own).
 * - an adapter (express, fastify, hono, next) or a store (store-sql, store-redis) imports core
 *   and nothing else of ours, so that an app installs only the adapter and store it uses; the
 *   default store comes through core. One exception: an adapter whose framework bundles the
 *   server code (Next.js bundles core too, and a bundler follows only literal names) may hand
 *   core openers that load @entrance/store-sql and @entrance/store-redis with `import()` only.
 * - admin imports core; the file of a framework's subpath (src/express.ts, or src/express/) may
 *   also import that framework and its adapter.
 * - a framework (express, fastify, hono, next) is imported only by its adapter and by admin's
 *   subpath file for it.
 * - test support (the conformance suites) imports core only; the adapter conformance suite may
 *   also import the emulator, which it signs in through.
 * - the CLI (packages/cli, published as `entrance`) imports core, and loads @entrance/store-sql and
 *   @entrance/store-redis (optional peers, the app's own when it has them) with `import()` only.
 * - every package under packages/ has a kind here: a new one is placed on purpose.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";

/** The kind of each package, by its folder under packages/. */
export const KINDS = {
  core: "core",
  emulator: "emulator",
  express: "adapter",
  fastify: "adapter",
  hono: "adapter",
  next: "adapter",
  "store-sql": "store",
  "store-redis": "store",
  admin: "admin",
  "store-conformance": "test-support",
  "adapter-conformance": "test-support",
  cli: "cli",
};

/**
 * Test support that drives a package through the emulator may import it besides core: the
 * adapter conformance suite signs in through the emulator's pages (it tests apps, never the
 * emulator, so sharing nothing with core still holds).
 */
const TEST_SUPPORT_USES = { "adapter-conformance": ["emulator"] };

/** Module names of each adapter's framework (a name, or a scope ending in "/"). */
export const FRAMEWORKS = {
  express: ["express"],
  fastify: ["fastify", "@fastify/"],
  hono: ["hono", "@hono/"],
  next: ["next"],
};

/** Adapters may load these stores with `import()`: optional peers that provide a default. */
const DEFAULT_STORES = ["store-sql", "store-redis"];

/** The one core file that names the default store's packages, to load them at run time. */
const STORE_LOADER = "storage/peers.ts";
/** A store package's name in a string (quoted), wherever it stands: an import, a constant, … */
const STORE_NAME = /["'](@entrance\/store-(?:sql|redis))["']/g;

const STATIC =
  /(?:^|[;}])\s*(?:import|export)\s+(?:type\s+)?(?:[\w$*\s{},]*?\s+from\s+)?["']([^"'\n]+)["']/g;
const DYNAMIC = /\bimport\(\s*["']([^"'\n]+)["']\s*\)/g;

/**
 * The module specifiers a TypeScript file imports or re-exports, each with its line and whether it
 * is an `import()`. Imports in comments are not read: a statement must start its line or follow
 * `;` or `}`, which a `//` or ` * ` line does not.
 */
export function importsOf(text) {
  const found = [];
  const lineOf = (index) => text.slice(0, index).split("\n").length;
  for (const [pattern, dynamic] of [
    [STATIC, false],
    [DYNAMIC, true],
  ]) {
    for (const match of text.matchAll(new RegExp(pattern.source, "gm"))) {
      const specifier = match[1] ?? "";
      found.push({ specifier, dynamic, line: lineOf(match.index + match[0].indexOf(specifier)) });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The Entrance package folder a specifier names, if any ("@entrance/core/x" → "core"). */
function entrancePackage(specifier, folderOf) {
  const match = /^(@entrance\/[^/]+)/.exec(specifier);
  return match ? (folderOf.get(match[1]) ?? match[1]) : null;
}

/** The adapter whose framework a specifier names, if any ("express" → "express"). */
function frameworkOf(specifier) {
  for (const [adapter, names] of Object.entries(FRAMEWORKS)) {
    for (const name of names) {
      const hit = name.endsWith("/")
        ? specifier.startsWith(name)
        : specifier === name || specifier.startsWith(`${name}/`);
      if (hit) return adapter;
    }
  }
  return null;
}

/** Why importing `target` from `file` of package `from` crosses a boundary, or null. */
function crossing(from, file, { specifier, dynamic }, folderOf) {
  const kind = KINDS[from];
  const target = entrancePackage(specifier, folderOf);
  const framework = frameworkOf(specifier);
  // admin's subpath for a framework: src/{adapter}.ts or src/{adapter}/…
  const subpathOf = from === "admin" ? file.split("/")[0]?.replace(/\.[cm]?tsx?$/, "") : null;
  if (framework) {
    if (from === framework || subpathOf === framework) return null;
    return `only @entrance/${framework} and admin's src/${framework}.ts import ${specifier}`;
  }
  if (target === null || target === from) return null;
  if (kind === "core") return "core imports no other Entrance package";
  if (kind === "emulator") return "the emulator imports no other Entrance package";
  if (target === "core") return null;
  if (kind === "adapter" && DEFAULT_STORES.includes(target))
    return dynamic ? null : `an adapter loads ${specifier}, an optional peer, with import() only`;
  if (kind === "test-support" && TEST_SUPPORT_USES[from]?.includes(target)) return null;
  // The CLI checks and migrates the app's stores: it loads them, optional peers, with import().
  if (kind === "cli" && DEFAULT_STORES.includes(target))
    return dynamic ? null : `the CLI loads ${specifier}, an optional peer, with import() only`;
  if (kind === "admin" && subpathOf === target && KINDS[target] === "adapter") return null;
  const what = KINDS[target] ? `${KINDS[target]} ${specifier}` : specifier;
  return `${kind === "test-support" ? "test support" : `a(n) ${kind}`} imports core only, not the ${what}`;
}

/**
 * Every import under `root`/packages/{name}/src that crosses a boundary, with the file, line,
 * specifier and the rule; and every package without a kind.
 */
export function findViolations(root) {
  const packagesDir = join(root, "packages");
  const folders = readdirSync(packagesDir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, "package.json")),
    )
    .map((entry) => entry.name);
  const folderOf = new Map(
    folders.map((folder) => [
      JSON.parse(readFileSync(join(packagesDir, folder, "package.json"), "utf8")).name,
      folder,
    ]),
  );
  const violations = [];
  for (const from of folders) {
    if (!KINDS[from]) {
      violations.push({
        file: `packages/${from}`,
        line: 0,
        specifier: "",
        rule: `packages/${from} has no kind: add it to KINDS in scripts/import-boundaries.mjs`,
      });
      continue;
    }
    const src = join(packagesDir, from, "src");
    for (const path of sourceFiles(src)) {
      const file = relative(src, path).split(sep).join("/");
      const text = readFileSync(path, "utf8");
      for (const found of importsOf(text)) {
        const rule = crossing(from, file, found, folderOf);
        if (rule)
          violations.push({
            file: `packages/${from}/src/${file}`,
            line: found.line,
            specifier: found.specifier,
            rule,
          });
      }
      if (KINDS[from] === "core" && file !== STORE_LOADER) {
        for (const match of text.matchAll(STORE_NAME)) {
          const where = { file: `packages/${from}/src/${file}`, specifier: match[1] };
          const line = text.slice(0, match.index).split("\n").length;
          // An import of it on that line is already reported.
          if (violations.some((v) => v.file === where.file && v.line === line)) continue;
          violations.push({
            ...where,
            line,
            rule: `core names ${where.specifier} only in src/${STORE_LOADER}, which loads the default store`,
          });
        }
      }
    }
  }
  return violations;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const violations = findViolations(join(import.meta.dirname, ".."));
  for (const v of violations)
    console.error(`${v.file}:${v.line}: ${v.specifier ? `imports ${v.specifier}: ` : ""}${v.rule}`);
  if (violations.length > 0) process.exit(1);
  process.stdout.write("import boundaries: no package imports across them\n");
}
