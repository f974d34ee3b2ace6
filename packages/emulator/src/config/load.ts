import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { type DirectoryConfig, type DirectoryInput, directorySchema } from "./schema.js";

/** A configuration that does not validate; `message` lists every problem with its field path. */
export class DirectoryConfigError extends Error {
  override readonly name = "DirectoryConfigError";
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${source} is not a valid emulator directory:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

/** Validates a directory given as a value and fills in defaults. */
export function parseDirectory(input: unknown, source = "the directory"): DirectoryConfig {
  const result = directorySchema.safeParse(input);
  if (!result.success) {
    throw new DirectoryConfigError(source, result.error.issues.map(describeIssue));
  }
  return result.data;
}

/** Reads and validates a JSON directory file. */
export async function loadDirectoryFile(path: string): Promise<DirectoryConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new DirectoryConfigError(path, [`cannot be read: ${(cause as Error).message}`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DirectoryConfigError(path, [`is not JSON: ${(cause as Error).message}`]);
  }
  return parseDirectory(value, path);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((part, i) =>
      typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
    )
    .join("");
  return `${path || "(root)"}: ${issue.message}`;
}

export type { DirectoryInput };
