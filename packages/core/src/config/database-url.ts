import { fileURLToPath } from "node:url";

/** Which database a `DATABASE_URL` names. */
export type DatabaseTarget =
  | { readonly dialect: "postgres"; readonly connectionString: string }
  | { readonly dialect: "mysql"; readonly connectionString: string }
  | { readonly dialect: "sqlite"; readonly filename: string };

const FORMS =
  "use postgres://user:password@host:5432/database (or postgresql://) for PostgreSQL, " +
  "mysql://user:password@host:3306/database (or mariadb://) for MySQL or MariaDB, or for " +
  "SQLite a file path (./data/entrance.db), a file: URL (file:///var/lib/app/entrance.db) or " +
  "sqlite:./data/entrance.db";

function invalid(problem: string): Error {
  // The URL itself is never quoted: it may carry a password.
  return new Error(`DATABASE_URL ${problem}: ${FORMS}.`);
}

function sqlitePath(path: string, form: string): DatabaseTarget {
  if (path === "") throw invalid(`names no file after "${form}"`);
  if (path.includes("?") || path.includes("#")) {
    throw invalid(`has query parameters or a fragment, which a ${form} URL does not support`);
  }
  return { dialect: "sqlite", filename: path };
}

/**
 * Reads a `DATABASE_URL`: `postgres://` and `postgresql://` are PostgreSQL, `mysql://` and
 * `mariadb://` are MySQL or MariaDB (the URL is kept whole, scheme included); a `file:` URL, a
 * `sqlite:` URL or a plain path (relative to the working directory, or absolute; a Windows
 * drive path too) is a SQLite file, and `:memory:` an in-memory SQLite database. Throws an Error
 * that lists the accepted forms for anything else, without echoing the URL.
 *
 * @example
 * ```ts
 * parseDatabaseUrl("sqlite:./data/entrance.db"); // { dialect: "sqlite", filename: "./data/entrance.db" }
 * ```
 */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  if (typeof databaseUrl !== "string" || databaseUrl.trim() === "") throw invalid("is empty");
  if (databaseUrl.trim() !== databaseUrl) throw invalid("has leading or trailing whitespace");

  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(databaseUrl)?.[1]?.toLowerCase();
  // No scheme, or one letter (a Windows drive such as C:\data\entrance.db): a plain path.
  if (scheme === undefined || scheme.length === 1) {
    return { dialect: "sqlite", filename: databaseUrl };
  }
  const rest = databaseUrl.slice(scheme.length + 1);
  switch (scheme) {
    case "postgres":
    case "postgresql":
      if (!rest.startsWith("//")) throw invalid(`must start with ${scheme}://`);
      return { dialect: "postgres", connectionString: databaseUrl };
    case "mysql":
    case "mariadb":
      if (!rest.startsWith("//")) throw invalid(`must start with ${scheme}://`);
      return { dialect: "mysql", connectionString: databaseUrl };
    case "file": {
      if (!rest.startsWith("//")) return sqlitePath(rest, "file:"); // file:./relative.db
      let url: URL;
      try {
        url = new URL(databaseUrl);
      } catch {
        throw invalid("is not a valid file: URL");
      }
      if (url.search !== "" || url.hash !== "") {
        throw invalid("has query parameters or a fragment, which a file: URL does not support");
      }
      try {
        return { dialect: "sqlite", filename: fileURLToPath(url) };
      } catch {
        throw invalid("is a file: URL with a host other than localhost");
      }
    }
    case "sqlite":
      // sqlite:///var/lib/x.db is the absolute path /var/lib/x.db, as with file: URLs.
      return sqlitePath(rest.startsWith("//") ? rest.slice(2) : rest, "sqlite:");
    default:
      throw invalid(`has the unsupported scheme "${scheme}:"`);
  }
}
