#!/usr/bin/env node
/**
 * Type-checks every TypeScript and JavaScript example in the documentation, so that none can rot:
 * each ```ts, ```typescript, ```tsx, ```js or ```javascript block of README.md, docs/**\/*.md,
 * packages/*\/README.md and apps/*\/README.md becomes a module under test-results/examples/ (one
 * folder and tsconfig per Markdown file), and one `tsc -b` checks them all against the workspace
 * packages' built declarations — what an app that installed them would see. A failure names the
 * Markdown file and line. Run after `tsc -b` (the packages' dist/).
 *
 * The HTML comment right before a block (blank lines between are allowed) says how to compile it;
 * see docs/contributing.md:
 *
 *   <!-- example: skip <why> -->                 not compiled (say why)
 *   <!-- example: file lib/entrance.ts -->       written at that path in the page's folder, so
 *                                                other blocks of the page import it
 *   <!-- example: preamble
 *   declare const app: express.Express;         code compiled before the block, unseen by readers:
 *   -->                                         what a fragment assumes
 *
 * and anywhere in a page, `<!-- examples: next -->` compiles its blocks as a Next.js app does
 * (bundler resolution, JSX, `@/*` for the page's folder).
 *
 *   node scripts/check-examples.mjs          check (exit 1 with file:line of each error)
 *   node scripts/check-examples.mjs --list   list the blocks found and how each is compiled
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = "test-results/examples";
const LANGUAGES = { ts: "ts", typescript: "ts", tsx: "tsx", js: "js", javascript: "js" };

/** The Markdown files whose examples are checked, relative to the repository root. */
export function documentationFiles(root = ROOT) {
  const files = ["README.md"];
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) files.push(path);
    }
  };
  walk("docs");
  for (const top of ["packages", "apps"]) {
    for (const entry of readdirSync(join(root, top), { withFileTypes: true })) {
      const readme = `${top}/${entry.name}/README.md`;
      if (entry.isDirectory() && existsSync(join(root, readme))) files.push(readme);
    }
  }
  return files.sort();
}

/**
 * The code blocks of one Markdown text: `{ line, lang, code, mode, file?, preamble, reason? }`,
 * `line` being the 1-based line of the block's first code line, `mode` "check" or "skip". Blocks
 * in other languages (sh, json, text, …) are left out. Throws on a directive it does not know.
 */
export function extractExamples(markdown, path = "(markdown)") {
  const lines = markdown.split("\n");
  const examples = [];
  let directive = null; // the last `<!-- example: … -->` seen, until a block or other text
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    const comment = /^\s*<!--\s*example:\s*([\s\S]*)$/.exec(text);
    if (comment) {
      let body = comment[1] ?? "";
      const start = i;
      while (!body.includes("-->")) {
        i++;
        if (i >= lines.length) throw new Error(`${path}:${start + 1}: unclosed <!-- example: -->`);
        body += `\n${lines[i]}`;
      }
      directive = parseDirective(body.slice(0, body.indexOf("-->")), `${path}:${start + 1}`);
      directive.line = start + 1;
      continue;
    }
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (!fence) {
      if (text.trim() !== "") directive = null;
      continue;
    }
    const [, indent = "", marker = "", info = ""] = fence;
    const body = [];
    const first = i + 1;
    for (i++; i < lines.length; i++) {
      const closing = lines[i].trimStart();
      if (closing.startsWith(marker) && closing.slice(marker.length).trim() === "") break;
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i].trimStart());
    }
    const lang = LANGUAGES[info.toLowerCase()];
    if (lang) {
      examples.push({
        line: first + 1,
        lang,
        code: body.join("\n"),
        mode: directive?.kind === "skip" ? "skip" : "check",
        ...(directive?.kind === "skip" ? { reason: directive.value } : {}),
        ...(directive?.kind === "file" ? { file: directive.value } : {}),
        preamble: directive?.kind === "preamble" ? directive.value : "",
        preambleLine: directive?.line ?? first,
      });
    } else if (directive) {
      throw new Error(
        `${path}:${directive.line}: <!-- example: --> before a block that is not ts/js`,
      );
    }
    directive = null;
  }
  return examples;
}

function parseDirective(body, where) {
  const match = /^\s*(skip|file|preamble)\b([\s\S]*)$/.exec(body);
  if (!match) throw new Error(`${where}: unknown <!-- example: --> (skip, file or preamble)`);
  const kind = match[1];
  const value = kind === "preamble" ? (match[2] ?? "").replace(/^[^\n]*\n/, "") : match[2].trim();
  if (kind === "skip" && value === "") throw new Error(`${where}: say why a block is skipped`);
  if (
    kind === "file" &&
    (!/^[\w@[\]./-]+\.(ts|tsx|js|mjs)$/.test(value) ||
      value.split("/").some((segment) => segment === ".." || segment === "."))
  )
    throw new Error(`${where}: a file directive names a relative .ts, .tsx or .js path`);
  return { kind, value };
}

/** Compiler options per kind of page; the rest comes from tsconfig.base.json. */
function tsconfigFor(next) {
  const compilerOptions = {
    noEmit: true,
    composite: false,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    incremental: true,
    allowJs: true,
    checkJs: true,
    tsBuildInfoFile: "./.tsbuildinfo",
    ...(next
      ? {
          module: "esnext",
          moduleResolution: "bundler",
          jsx: "react-jsx",
          lib: ["dom", "dom.iterable", "ES2023"],
          paths: { "@/*": ["./*"] },
        }
      : { jsx: "react-jsx" }),
  };
  return { extends: "../../../tsconfig.base.json", compilerOptions, include: ["**/*"] };
}

/** Writes each page's modules and tsconfig; returns where each generated line came from. */
function generate(root, pages) {
  const out = join(root, OUT);
  const origins = new Map(); // generated path (repo-relative, /) → { page, lines: [markdown line|null] }
  const wanted = new Set();
  const put = (path, text) => {
    wanted.add(path);
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    if (!existsSync(full) || readFileSync(full, "utf8") !== text) writeFileSync(full, text);
  };
  const projects = [];
  for (const { page, examples, next } of pages) {
    const checked = examples.filter((e) => e.mode === "check");
    if (checked.length === 0) continue;
    const dir = `${OUT}/${page.replaceAll("/", "__").replace(/\.md$/, "")}`;
    projects.push(dir);
    put(`${dir}/tsconfig.json`, `${JSON.stringify(tsconfigFor(next), null, 2)}\n`);
    for (const example of checked) {
      const name = example.file ?? `line-${example.line}.${example.lang}`;
      const preamble = example.preamble ? example.preamble.replace(/\n*$/, "\n").split("\n") : [];
      if (preamble.at(-1) === "") preamble.pop();
      const code = example.code.split("\n");
      // `export {}` keeps a block without imports a module, so blocks never share globals.
      const text = [...preamble, ...code, "export {};", ""].join("\n");
      const path = `${dir}/${name}`;
      put(path, text);
      origins.set(path, {
        page,
        lines: [
          ...preamble.map(() => example.preambleLine),
          ...code.map((_, i) => example.line + i),
        ],
      });
    }
  }
  // A stale module of a block that moved or went away would still be compiled: remove it.
  const sweep = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) sweep(path);
      else if (!wanted.has(path) && entry.name !== ".tsbuildinfo") rmSync(join(root, path));
    }
  };
  if (existsSync(out)) sweep(OUT);
  put(
    `${OUT}/tsconfig.json`,
    `${JSON.stringify({ files: [], references: projects.map((p) => ({ path: relative(OUT, p) })) }, null, 2)}\n`,
  );
  return origins;
}

/** tsc's diagnostics, each moved from its generated file to the Markdown line it came from. */
export function mapDiagnostics(output, origins) {
  const problems = [];
  for (const line of output.split("\n")) {
    const match = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/.exec(line);
    if (!match) {
      if (line.startsWith(" ") && problems.length > 0) problems.at(-1).message += `\n${line}`;
      else if (line.trim() !== "") problems.push({ where: "tsc", message: line });
      continue;
    }
    const [, file = "", row = "0", , , code, message] = match;
    const path = file.split(sep).join("/");
    const origin = origins.get(path);
    const at = origin?.lines[Number(row) - 1];
    problems.push({
      where: origin && at ? `${origin.page}:${at}` : `${path}:${row}`,
      message: `${code} ${message}`,
    });
  }
  return problems;
}

function main() {
  const pages = documentationFiles().map((page) => {
    const text = readFileSync(join(ROOT, page), "utf8");
    return {
      page,
      examples: extractExamples(text, page),
      next: /<!--\s*examples:\s*next\s*-->/.test(text),
    };
  });
  const all = pages.flatMap(({ page, examples }) => examples.map((e) => ({ page, ...e })));
  if (process.argv.includes("--list")) {
    for (const e of all)
      process.stdout.write(
        `${e.page}:${e.line} ${e.lang} ${e.mode === "skip" ? `skip (${e.reason})` : (e.file ?? "module")}${e.preamble ? " +preamble" : ""}\n`,
      );
    return;
  }
  const origins = generate(ROOT, pages);
  const require = createRequire(import.meta.url);
  const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  const result = spawnSync(
    process.execPath,
    [tsc, "-b", `${OUT}/tsconfig.json`, "--pretty", "false"],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  const checked = all.filter((e) => e.mode === "check").length;
  const skipped = all.length - checked;
  if (result.status === 0) {
    process.stdout.write(
      `Examples: ${checked} code blocks in ${pages.filter((p) => p.examples.length > 0).length} pages type-check (${skipped} skipped, each with its reason).\n`,
    );
    return;
  }
  const problems = mapDiagnostics(`${result.stdout}${result.stderr}`, origins);
  process.stderr.write(
    `Examples: ${problems.length} problem(s) in the documentation's code blocks:\n`,
  );
  for (const problem of problems) process.stderr.write(`${problem.where}: ${problem.message}\n`);
  process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`Examples: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
