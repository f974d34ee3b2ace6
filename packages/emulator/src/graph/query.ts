import type { Exchange } from "../http/exchange.js";
import { graphErrors } from "./errors.js";

/**
 * A system query option such as `$select`. Graph reads option names without regard to case, so
 * `$Select` works too.
 */
export function queryOption(exchange: Exchange, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of exchange.url.searchParams) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Whether the request asked for advanced queries with `ConsistencyLevel: eventual`. */
export function isEventual(exchange: Exchange): boolean {
  return exchange.header("consistencylevel")?.trim().toLowerCase() === "eventual";
}

/**
 * The properties a `$select` asks for, in their canonical spelling and the order given, or
 * undefined without `$select`. An unknown name is a 400, as on Graph.
 */
export function parseSelect(
  exchange: Exchange,
  selectable: readonly string[],
  typeName: string,
): string[] | undefined {
  const raw = queryOption(exchange, "$select");
  if (raw === undefined) return undefined;
  const chosen: string[] = [];
  for (const name of raw.split(",").map((part) => part.trim())) {
    if (name === "") continue;
    if (name === "*") {
      for (const property of selectable) if (!chosen.includes(property)) chosen.push(property);
      continue;
    }
    const property = selectable.find((p) => p.toLowerCase() === name.toLowerCase());
    if (!property) throw graphErrors.unknownProperty(name, typeName);
    if (!chosen.includes(property)) chosen.push(property);
  }
  return chosen;
}

/** Copies `properties` from `source`, in that order. */
export function pick(
  source: Record<string, unknown>,
  properties: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(properties.map((p) => [p, source[p]]));
}
