import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";

/** The environment the app would see, and where it came from. */
export interface Environment {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The env file read, if any (absolute path). */
  readonly file: string | undefined;
  /** How many variables came from the file (those the process environment did not set). */
  readonly fromFile: number;
}

/**
 * The process environment over the variables of an env file (`.env` in `cwd` unless `envFile`
 * names another): a variable set in the process wins, as with `node --env-file`, which is how
 * an app started that way reads it. A file that `envFile` names must exist; `.env` may not.
 */
export function readEnvironment(
  cwd: string,
  processEnv: Readonly<Record<string, string | undefined>>,
  envFile?: string,
): Environment {
  const file = resolve(cwd, envFile ?? ".env");
  if (!existsSync(file)) {
    if (envFile !== undefined) throw new Error(`the env file ${file} does not exist`);
    return { env: { ...processEnv }, file: undefined, fromFile: 0 };
  }
  const parsed = parseEnv(readFileSync(file, "utf8"));
  const env: Record<string, string | undefined> = { ...processEnv };
  let fromFile = 0;
  for (const [name, value] of Object.entries(parsed)) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    fromFile++;
  }
  return { env, file, fromFile };
}
