#!/usr/bin/env node
/**
 * `npm test`'s step after the type check (`npm run check:packages` alone): packs every
 * publishable workspace package (every one not marked private) as `npm publish` would, and fails
 * if a tarball is not what we mean to ship. Each tarball is packed once, into a temporary folder,
 * and that same file is checked by:
 *
 * - publint, with warnings as errors and suggestions counted as problems too;
 * - @arethetypeswrong/cli with `--profile esm-only` (what `attw --pack` runs after its own
 *   `npm pack`);
 * - the rules of STYLE.md item 12 that neither tool knows: no `.tsbuildinfo`; every packed source
 *   map's sources packed with it; every export condition's and bin's target packed (the `source`
 *   condition included); a LICENSE identical to the repository's; `files`, `sideEffects`,
 *   `engines`, `keywords` and `publishConfig.access: "public"` declared; every package that a
 *   packed .js or .d.ts file imports declared as a dependency or peer; no dependency on a private
 *   workspace package (it is never published).
 *
 * The packages must be built first (`tsc -b`). Nothing here uses the network: `npm pack` and
 * both tools work on local files.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { builtinModules, createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { importsOf } from "./import-boundaries.mjs";

const ROOT = join(import.meta.dirname, "..");
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const attwManifest = require("@arethetypeswrong/cli/package.json");
const ATTW = join(
  dirname(require.resolve("@arethetypeswrong/cli/package.json")),
  attwManifest.bin.attw,
);
const rootManifest = readJson(join(ROOT, "package.json"));
const rootLicense = readFileSync(join(ROOT, "LICENSE"), "utf8");

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** The workspace folders of the root package.json ("packages/*", "bench"), each with its manifest. */
function workspaces() {
  const found = [];
  for (const pattern of rootManifest.workspaces) {
    const dirs = pattern.endsWith("/*")
      ? readdirSync(join(ROOT, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(ROOT, pattern.slice(0, -2), entry.name))
      : [join(ROOT, pattern)];
    for (const dir of dirs) {
      const file = join(dir, "package.json");
      if (existsSync(file)) found.push({ dir, manifest: readJson(file) });
    }
  }
  return found;
}

/** Every file path an `exports` value names, under any condition. */
function exportTargets(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(exportTargets);
  if (value && typeof value === "object") return Object.values(value).flatMap(exportTargets);
  return [];
}

/** "@scope/name/sub" → "@scope/name"; "name/sub" → "name". */
function packageName(specifier) {
  return specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");
}

/** The manifest of an installed package, looked up from `dir` as Node would, or null. */
function installedManifest(name, dir) {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, "node_modules", name, "package.json");
    if (existsSync(file)) return readJson(file);
    if (dirname(at) === at) return null;
  }
}

/**
 * Whether the types of module `name` come with a declared `@types/…` dependency or peer, or with
 * the `@types` packages those depend on: declarations that TypeScript infers name such modules,
 * e.g. `import("express-serve-static-core")` and `import("qs")`, which `@types/express` brings.
 * Only types: code must declare what it imports.
 */
function typesComeWith(declared, name, dir) {
  const wanted = `@types/${name.startsWith("@") ? name.slice(1).replace("/", "__") : name}`;
  const pending = [...declared].filter((dependency) => dependency.startsWith("@types/"));
  const seen = new Set(pending);
  for (let types = pending.pop(); types !== undefined; types = pending.pop()) {
    const manifest = installedManifest(types, dir);
    for (const dependency of Object.keys({
      ...manifest?.dependencies,
      ...manifest?.peerDependencies,
    })) {
      if (dependency === wanted) return true;
      if (dependency.startsWith("@types/") && !seen.has(dependency)) {
        seen.add(dependency);
        pending.push(dependency);
      }
    }
  }
  return false;
}

/**
 * Problems of the manifest and the packed files that publint and attw do not look for. `packed`
 * lists the tarball's paths, whose contents are read from `dir`, where npm packed them from.
 */
function ownRules(dir, manifest, packed, privateNames) {
  const problems = [];
  const read = (path) => readFileSync(join(dir, path), "utf8");
  for (const path of packed) {
    if (path.endsWith(".tsbuildinfo")) problems.push(`${path} is packed: exclude it in "files"`);
  }
  const orphans = [];
  for (const path of packed) {
    if (!path.endsWith(".map")) continue;
    const map = JSON.parse(read(path));
    for (const source of map.sources ?? []) {
      const target = posix.join(posix.dirname(path), map.sourceRoot ?? "", source);
      if (!packed.has(target)) orphans.push(`${path} → ${target}`);
    }
  }
  if (orphans.length > 0) {
    const where = relative(ROOT, dir);
    problems.push(
      `${orphans.length} packed source map(s) name a source that is not packed: ${orphans.join(", ")}. ` +
        `Built from a source that no longer exists? rm -rf ${where}/dist && npx tsc -b ${where}`,
    );
  }
  const bins =
    typeof manifest.bin === "string" ? [manifest.bin] : Object.values(manifest.bin ?? {});
  for (const target of [...exportTargets(manifest.exports), ...bins]) {
    if (!packed.has(posix.normalize(target))) problems.push(`${target} is named but not packed`);
  }
  if (!packed.has("LICENSE")) problems.push("no LICENSE is packed");
  else if (read("LICENSE") !== rootLicense)
    problems.push("its LICENSE differs from the repository's LICENSE");
  if (manifest.license !== rootManifest.license)
    problems.push(`license is ${manifest.license}, not ${rootManifest.license}`);
  if (!Array.isArray(manifest.files)) problems.push(`no "files" list`);
  if (manifest.sideEffects === undefined) problems.push(`no "sideEffects"`);
  if (!manifest.engines?.node) problems.push(`no "engines.node"`);
  if (!manifest.keywords?.length) problems.push(`no "keywords"`);
  if (manifest.name.startsWith("@") && manifest.publishConfig?.access !== "public")
    problems.push(`a scoped package needs "publishConfig": { "access": "public" }`);
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const undeclared = new Set();
  for (const path of packed) {
    if (!/\.(js|d\.ts)$/.test(path) || !path.startsWith("dist/")) continue;
    for (const { specifier } of importsOf(read(path))) {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      const name = packageName(specifier);
      if (builtinModules.includes(name) || declared.has(name)) continue;
      if (path.endsWith(".d.ts") && typesComeWith(declared, name, dir)) continue;
      undeclared.add(`${path} imports ${name}`);
    }
  }
  for (const found of undeclared)
    problems.push(
      `${found}, which is neither a dependency nor a peer (nor, for types, comes with a declared @types package)`,
    );
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (privateNames.has(name)) problems.push(`${field} names ${name}, which is private`);
    }
  }
  return problems;
}

async function attw(tarball) {
  try {
    await run(process.execPath, [
      ATTW,
      tarball,
      "--profile",
      "esm-only",
      "--format",
      "ascii",
      "--no-color",
      "--no-emoji",
    ]);
    return [];
  } catch (error) {
    return [`attw: ${(error.stdout || error.stderr || error.message).trim()}`];
  }
}

/** Packs one package into `scratch` and lists every problem of the tarball. */
async function check({ dir, manifest }, scratch, privateNames) {
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", scratch], {
    cwd: dir,
  });
  const [packed] = JSON.parse(stdout);
  const tarball = join(scratch, packed.filename);
  const paths = new Set(packed.files.map((file) => file.path));
  const data = await readFile(tarball);
  const bytes = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const lint = await publint({ pack: { tarball: bytes }, strict: true });
  const problems = [
    ...lint.messages.map(
      (message) => `publint ${message.type}: ${formatMessage(message, lint.pkg, { color: false })}`,
    ),
    ...(await attw(tarball)),
    ...ownRules(dir, manifest, paths, privateNames),
  ];
  return {
    name: manifest.name,
    where: relative(ROOT, dir),
    files: paths.size,
    size: packed.size,
    problems,
  };
}

const all = workspaces();
const privateNames = new Set(all.filter((w) => w.manifest.private).map((w) => w.manifest.name));
const publishable = all.filter((w) => !w.manifest.private);
const scratch = await mkdtemp(join(tmpdir(), "entrance-pack-"));
let results;
try {
  results = await Promise.all(publishable.map((w) => check(w, scratch, privateNames)));
} finally {
  await rm(scratch, { recursive: true, force: true });
}
const failed = results.filter((result) => result.problems.length > 0);
for (const { name, where, files, size, problems } of results) {
  if (problems.length === 0) {
    process.stdout.write(
      `ok ${name} (${where}): ${files} files, ${(size / 1024).toFixed(1)} kB packed; publint, attw --profile esm-only and our rules found nothing\n`,
    );
  } else {
    console.error(`FAIL ${name} (${where}):`);
    for (const problem of problems) console.error(`  - ${problem.replaceAll("\n", "\n    ")}`);
  }
}
if (failed.length > 0) {
  console.error(
    `check-packages: ${failed.length} of ${results.length} publishable packages would not publish as they should.`,
  );
  process.exit(1);
}
process.stdout.write(`check-packages: ${results.length} publishable packages, no problem.\n`);
