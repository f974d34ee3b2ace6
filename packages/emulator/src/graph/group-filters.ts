import type { Group } from "../config/schema.js";
import { graphErrors } from "./errors.js";

/** A test on a group, built from `$search` or `$filter`. */
export type GroupPredicate = (group: Group) => boolean;

/** Splits at a keyword such as `and` (any case), except inside `quote`d literals. */
function splitOutsideQuotes(text: string, keyword: string, quote: string): string[] {
  const separator = new RegExp(String.raw`\s+${keyword}\s+`, "iy");
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === quote) quoted = !quoted;
    if (quoted) continue;
    separator.lastIndex = i;
    if (separator.test(text)) {
      parts.push(text.slice(start, i));
      start = separator.lastIndex;
      i = start - 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

/** Words of a display name, split as Graph's search tokenises: at spaces, punctuation and camelCase. */
function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * `$search="displayName:term"` clauses joined by AND or OR (AND binds tighter). A clause matches
 * when every word of the term starts a word of the display name, which is how Graph's tokenised
 * search behaves for directory objects.
 */
export function parseSearch(raw: string): GroupPredicate {
  const clause = /^"([^":]+):([^"]*)"$/;
  const alternatives = splitOutsideQuotes(raw.trim(), "OR", '"').map((part) =>
    splitOutsideQuotes(part, "AND", '"').map((term) => {
      const match = clause.exec(term);
      if (!match?.[1] || match[2] === undefined) {
        throw graphErrors.badRequest(
          `Invalid $search '${raw}': write clauses as "property:text" in double quotes, joined by AND or OR, e.g. $search="displayName:sales".`,
        );
      }
      if (match[1].toLowerCase() !== "displayname") {
        throw graphErrors.unsupportedQuery(
          `The emulator's Graph searches groups by displayName only, not by '${match[1]}'.`,
        );
      }
      const wanted = words(match[2]);
      return (group: Group) => {
        const have = words(group.displayName);
        return wanted.every((w) => have.some((h) => h.startsWith(w)));
      };
    }),
  );
  return (group) => alternatives.some((all) => all.every((test) => test(group)));
}

/** OData literals the emulator's `$filter` understands: 'text' (with '' for a quote) and booleans. */
const LITERAL = `'((?:[^']|'')*)'|true|false`;
const EQ = new RegExp(
  String.raw`^(id|displayName|securityEnabled|mailEnabled)\s+eq\s+(${LITERAL})$`,
  "i",
);
const STARTS = /^startswith\(\s*displayName\s*,\s*'((?:[^']|'')*)'\s*\)$/i;

function filterClause(clause: string): GroupPredicate {
  const starts = STARTS.exec(clause);
  if (starts) {
    const prefix = (starts[1] ?? "").replaceAll("''", "'").toLowerCase();
    return (group) => group.displayName.toLowerCase().startsWith(prefix);
  }
  const eq = EQ.exec(clause);
  if (eq?.[1] && eq[2]) {
    const property = eq[1].toLowerCase();
    const literal = eq[2].toLowerCase();
    const text = eq[3]?.replaceAll("''", "'");
    if (property === "securityenabled" || property === "mailenabled") {
      if (text !== undefined)
        throw graphErrors.badRequest(`${eq[1]} compares with true or false, not a string.`);
      const wanted = literal === "true";
      return (group) =>
        (property === "securityenabled" ? group.securityEnabled : group.mailEnabled) === wanted;
    }
    if (text === undefined) throw graphErrors.badRequest(`${eq[1]} compares with a quoted string.`);
    // Graph compares directory strings without regard to case.
    return property === "id"
      ? (group) => group.id === text.toLowerCase()
      : (group) => group.displayName.toLowerCase() === text.toLowerCase();
  }
  throw graphErrors.unsupportedQuery(
    `The emulator's Graph does not implement the $filter clause '${clause}'. It supports, joined by 'and': startswith(displayName,'text'), displayName eq 'text', id eq 'guid', securityEnabled eq true|false, mailEnabled eq true|false.`,
  );
}

/** The subset of `$filter` on groups described in `filterClause`'s error message. */
export function parseFilter(raw: string): GroupPredicate {
  const clauses = splitOutsideQuotes(raw.trim(), "and", "'").map(filterClause);
  return (group) => clauses.every((test) => test(group));
}
