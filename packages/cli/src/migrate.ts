import { DEFAULT_DATABASE, parseDatabaseUrl } from "@entrance/core";
import { readEnvironment } from "./environment.js";
import { databaseUrlIn, loadFromProject } from "./project.js";

type StoreSql = typeof import("@entrance/store-sql");

/** What `entrance migrate` did, for its output and exit status. */
export interface MigrateOutcome {
  readonly ok: boolean;
  /** What to print: on stdout when ok, on stderr otherwise. */
  readonly message: string;
  /** The migrations applied (empty when the schema was up to date). */
  readonly applied: readonly string[];
}

/**
 * `entrance migrate`: applies the Entrance SQL schema to the database DATABASE_URL names (the
 * environment over `.env`; unset: the default SQLite file), with the app's own
 * @entrance/store-sql, so the schema is the one the app's version expects. Never prints the URL.
 */
export async function runMigrate(options: {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly envFile?: string;
}): Promise<MigrateOutcome> {
  let databaseUrl: string;
  try {
    const { env } = readEnvironment(options.cwd, options.env, options.envFile);
    databaseUrl = env.DATABASE_URL ?? DEFAULT_DATABASE;
    parseDatabaseUrl(databaseUrl);
  } catch (error) {
    return { ok: false, applied: [], message: `entrance migrate: ${(error as Error).message}` };
  }
  const storeSql = await loadFromProject<StoreSql>(options.cwd, "@entrance/store-sql");
  if (!storeSql) {
    return {
      ok: false,
      applied: [],
      message:
        "entrance migrate: @entrance/store-sql is not installed in this project: `npm install @entrance/store-sql`, then run this again.",
    };
  }
  const target = parseDatabaseUrl(databaseUrl);
  const where =
    target.dialect === "sqlite"
      ? `the SQLite file ${target.filename}`
      : `the ${target.dialect === "postgres" ? "PostgreSQL" : "MySQL"} database of DATABASE_URL`;
  const url = databaseUrlIn(options.cwd, databaseUrl);
  try {
    const { applied } = await storeSql.migrate(url);
    return {
      ok: true,
      applied,
      message:
        applied.length > 0
          ? `entrance migrate: applied ${applied.length} migration(s) to ${where}: ${applied.join(", ")}.`
          : `entrance migrate: ${where} is up to date; nothing to apply.`,
    };
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).replace(
      /\b[a-z][a-z\d+.-]*:\/\/\S+/gi,
      "<url>",
    );
    return {
      ok: false,
      applied: [],
      message: `entrance migrate: could not migrate ${where}: ${reason}`,
    };
  }
}
