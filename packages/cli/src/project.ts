import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseDatabaseUrl } from "@entrance/core";

/**
 * Loads a package the way the app in `cwd` would: from the app's own node_modules first, so that
 * `migrate` applies the schema of the store version the app runs (never a newer one it does not
 * know); then from beside this CLI (its optional peers). Null when neither has it.
 */
export async function loadFromProject<T>(cwd: string, name: string): Promise<T | null> {
  let path: string | undefined;
  try {
    path = createRequire(join(cwd, "package.json")).resolve(name);
  } catch {
    path = undefined;
  }
  if (path !== undefined) return (await import(pathToFileURL(path).href)) as T;
  try {
    return (await import(name)) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return null;
    throw error;
  }
}

/**
 * A DATABASE_URL as the app in `cwd` reads it: a relative SQLite path is relative to the app's
 * folder (where it runs), so it is made absolute there; every other form is returned unchanged.
 */
export function databaseUrlIn(cwd: string, databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.dialect !== "sqlite" || target.filename === ":memory:") return databaseUrl;
  return isAbsolute(target.filename) ? databaseUrl : resolve(cwd, target.filename);
}
