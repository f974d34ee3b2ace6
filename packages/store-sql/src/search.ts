/**
 * Literal, case-insensitive "contains" for the admin lists, in SQL both dialects run: `lower()` on
 * both sides and a LIKE whose wildcards in the query are escaped, so `%`, `_` and `\` in what an
 * administrator types match only themselves.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { Dialect } from "./dialect.js";

/**
 * The LIKE escape character. `!` rather than `\`: PostgreSQL treats `\` as LIKE's default escape
 * and, under `standard_conforming_strings = off`, inside string literals too.
 */
const ESCAPE = "!";

/** `query` as a LIKE pattern that matches any text containing it. */
export function containsPattern(query: string): string {
  return `%${query.replace(/[!%_]/g, (char) => ESCAPE + char)}%`;
}

/**
 * True where `column` contains `query`, ignoring case; false where it is null. The pattern is
 * lowered by the same `lower()` as the column, so both sides fold case alike whatever the
 * database's locale (the SQLite store registers a Unicode-aware `lower`).
 */
export function columnContains(
  column: string,
  query: string,
  dialect: Dialect,
): RawBuilder<SqlBool> {
  const pattern = containsPattern(query);
  // PostgreSQL needs the parameter's type; MySQL has no `text` to cast to, and needs none.
  const lowered =
    dialect === "mysql" ? sql`lower(${pattern})` : sql`lower(cast(${pattern} as text))`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${lowered} escape '!'`;
}
