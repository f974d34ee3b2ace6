import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The frameworks `init` knows. */
export const FRAMEWORKS = ["express", "fastify", "hono", "next"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** What `init` needs to know of the project. */
export interface Project {
  readonly dir: string;
  readonly manifest: Record<string, unknown>;
  /** The frameworks its package.json depends on (dependencies or devDependencies). */
  readonly frameworks: readonly Framework[];
  /** Whether it is written in TypeScript (a tsconfig.json). */
  readonly typescript: boolean;
  /** Whether its .js files are ES modules ("type": "module"). */
  readonly esm: boolean;
  /** The folder of the app's entry (src/ when it has one, else the project's own). */
  readonly entryDir: string;
  /** The entry file, when one was found (relative to `dir`). */
  readonly entry: string | undefined;
}

/** The dependency that names each framework in a package.json. */
const PACKAGE: Record<Framework, string> = {
  express: "express",
  fastify: "fastify",
  hono: "hono",
  next: "next",
};

const ENTRIES = [
  "src/server.ts",
  "src/app.ts",
  "src/index.ts",
  "src/main.ts",
  "server.ts",
  "app.ts",
  "index.ts",
  "src/server.js",
  "src/app.js",
  "src/index.js",
  "server.js",
  "app.js",
  "index.js",
  "server.mjs",
  "app.mjs",
  "index.mjs",
];

/** Reads the project in `dir`; throws with the fix when there is no package.json. */
export function readProject(dir: string): Project {
  const file = join(dir, "package.json");
  if (!existsSync(file)) {
    throw new Error(
      `there is no package.json in ${dir}: run this in your project's folder (or \`npm init -y\` first)`,
    );
  }
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    throw new Error(`${file} is not valid JSON: fix it first`);
  }
  const deps = {
    ...(manifest.dependencies as Record<string, string> | undefined),
    ...(manifest.devDependencies as Record<string, string> | undefined),
  };
  const frameworks = FRAMEWORKS.filter((f) => PACKAGE[f] in deps);
  const main = typeof manifest.main === "string" ? manifest.main.replace(/^\.\//, "") : undefined;
  const entry = [...(main ? [main] : []), ...ENTRIES].find((path) => existsSync(join(dir, path)));
  const entryDir = entry
    ? join(dir, entry, "..")
    : existsSync(join(dir, "src"))
      ? join(dir, "src")
      : dir;
  return {
    dir,
    manifest,
    frameworks,
    typescript: existsSync(join(dir, "tsconfig.json")),
    esm: manifest.type === "module",
    entryDir,
    entry,
  };
}
