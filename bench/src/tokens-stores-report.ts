import type { StoreKind } from "./stores/backends.js";
import type { Summary } from "./timing.js";
import type { TimedCase } from "./token-calls.js";
import { micros, ratio } from "./tokens-report.js";

/** One case of the token benchmark by store: a call on one store. */
export interface StoreCase extends TimedCase {
  readonly store: StoreKind;
  readonly label: string;
}

/** One case's figures. */
export interface StoreCaseResult {
  readonly id: string;
  readonly store: StoreKind;
  readonly label: string;
  readonly summary: Summary;
  /** Median of this case / median of the same case on SQLite. */
  readonly ratioToSqlite: number;
}

export interface TokensStoresReport {
  readonly benchmark: string;
  readonly date: string;
  readonly command: string;
  readonly environment: Readonly<Record<string, string | number>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly stores: readonly Readonly<Record<string, string | number>>[];
  readonly checks: Readonly<Record<string, string | number>>;
  readonly cases: readonly StoreCaseResult[];
  readonly seconds: number;
}

const STORE_NAMES: Readonly<Record<StoreKind, string>> = {
  memory: "memory",
  sqlite: "SQLite",
  postgres: "PostgreSQL",
  redis: "Redis (+ SQLite directory)",
};

/**
 * The report as markdown: per case and store, the median of every call and the spread of the
 * rounds' medians (fastest–slowest), the p90, and the ratio to the same case on SQLite.
 */
export function storesMarkdown(report: TokensStoresReport): string {
  const environment = Object.entries(report.environment)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
  const row = ({ label, store, summary, ratioToSqlite }: StoreCaseResult) => {
    const rounds = summary.roundMediansUs;
    const range = `${micros(Math.min(...rounds))}–${micros(Math.max(...rounds))}`;
    return (
      `| ${label} | ${STORE_NAMES[store]} | ${summary.calls} | ${micros(summary.medianUs)} (${range}) | ` +
      `${micros(summary.p90Us)} | ${ratio(ratioToSqlite)} |`
    );
  };
  const checks = Object.entries(report.checks)
    .map(([key, value]) => `${key}: ${value}`)
    .join("; ");
  const fills = report.stores
    .map((facts) =>
      Object.entries(facts)
        .map(([key, value]) => `${key} ${value}`)
        .join(", "),
    )
    .join("; ");
  return [
    `## ${report.benchmark}`,
    "",
    `${report.date}; ${environment}`,
    `command: \`${report.command}\` (${Math.round(report.seconds)} s)`,
    "",
    "| case | store | calls | median µs (round medians, min–max) | p90 µs | ratio to SQLite |",
    "|---|---|--:|--:|--:|--:|",
    ...report.cases.map(row),
    "",
    `stores: ${fills}`,
    `checks: ${checks}`,
    "",
  ].join("\n");
}
