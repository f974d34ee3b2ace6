import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

/** What merging .env did. */
export interface EnvMerge {
  readonly added: readonly string[];
  readonly kept: readonly string[];
  /** Whether .gitignore lists .env and .entrance/ (after `init` added them, when it could). */
  readonly ignored: boolean;
  readonly gitignoreChanged: boolean;
}

/** A fresh ENTRANCE_SECRET: 32 random bytes, as `openssl rand -base64 32` gives. */
export function generateSecret(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Appends to `dir/.env` the variables it does not set yet (a value already there, even empty,
 * is never changed), each under its comment; creates the file when missing, readable by its
 * owner only. Then makes sure .gitignore keeps .env out of git: adds the line when a .gitignore
 * exists or the project is a git repository, and otherwise says so.
 */
export function mergeEnvFile(
  dir: string,
  wanted: readonly { readonly name: string; readonly value: string; readonly comment: string }[],
): EnvMerge {
  const file = join(dir, ".env");
  const before = existsSync(file) ? readFileSync(file, "utf8") : "";
  const present = parseEnv(before);
  const added: string[] = [];
  const kept: string[] = [];
  const lines: string[] = [];
  for (const { name, value, comment } of wanted) {
    if (name in present) {
      kept.push(name);
      continue;
    }
    added.push(name);
    lines.push(`# ${comment}`, `${name}=${value}`);
  }
  if (lines.length > 0) {
    const separator = before === "" ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const header = before === "" ? "" : "# Added by `npx entrance init`\n";
    writeFileSync(file, `${before}${separator}${header}${lines.join("\n")}\n`, { mode: 0o600 });
  }
  const ignore = ensureIgnored(dir, [".env", ".entrance/"]);
  return { added, kept, ...ignore };
}

/**
 * Adds the missing `entries` to .gitignore when there is one or the project is a git repository;
 * otherwise changes nothing and reports them as not ignored.
 */
function ensureIgnored(
  dir: string,
  entries: readonly string[],
): { ignored: boolean; gitignoreChanged: boolean } {
  const gitignore = join(dir, ".gitignore");
  const text = existsSync(gitignore) ? readFileSync(gitignore, "utf8") : undefined;
  const lines = new Set((text ?? "").split(/\r?\n/).map((l) => l.trim().replace(/^\//, "")));
  const missing = entries.filter((e) => !lines.has(e) && !lines.has(e.replace(/\/$/, "")));
  if (missing.length === 0) return { ignored: true, gitignoreChanged: false };
  if (text === undefined && !existsSync(join(dir, ".git"))) {
    return { ignored: false, gitignoreChanged: false };
  }
  const prefix = text === undefined || text === "" || text.endsWith("\n") ? "" : "\n";
  writeFileSync(gitignore, `${text ?? ""}${prefix}${missing.join("\n")}\n`);
  return { ignored: true, gitignoreChanged: true };
}
