import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Summary } from "./timing.js";

/** One measured case: a tool, an operation, how many users it holds, and the timings. */
export interface CaseResult {
  readonly id: string;
  readonly label: string;
  /** Users in the SQLite store, or accounts in MSAL's cache. */
  readonly population: number;
  readonly summary: Summary;
  /** Median of this case / median of the same tool and operation with one user. */
  readonly ratio: number;
}

export interface TokensReport {
  readonly benchmark: string;
  readonly date: string;
  readonly command: string;
  readonly environment: Readonly<Record<string, string | number>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly stores: readonly Readonly<Record<string, string | number>>[];
  readonly checks: Readonly<Record<string, string | number>>;
  readonly cases: readonly CaseResult[];
  /** Other ratios of medians worth reading, by name. */
  readonly ratios: Readonly<Record<string, number>>;
  /** The issue's figure: Entrance, same user, 100,000 users / 1 user (medians). */
  readonly ratioEntrance100kTo1: number;
  /** The same ratio round by round (round medians): how far the ratio itself moved. */
  readonly ratioEntrance100kTo1ByRound: readonly number[];
  /**
   * Issue 10 §3's figure: Entrance, a random user of 100,000 / the same user with 1 user (medians).
   * Held to the same aim; the same-user ratio alone would say "met" where this one is not.
   */
  readonly ratioRandom100kTo1: number;
  readonly aim: number;
  readonly seconds: number;
}

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const tenth = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** Microseconds: whole numbers from 100 up, one decimal below. */
export function micros(value: number): string {
  return Number.isNaN(value) ? "–" : (value >= 100 ? whole : tenth).format(value);
}

/** A ratio: two decimals, whole numbers (with separators) from 100 up. */
export function ratio(value: number): string {
  return value >= 100 ? whole.format(value) : value.toFixed(2);
}

/** The report as markdown: the table, the checks, and the issue's ratio as the last line. */
export function tokensMarkdown(report: TokensReport): string {
  const environment = Object.entries(report.environment)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
  const row = (result: CaseResult) =>
    `| ${result.label} | ${whole.format(result.population)} | ${whole.format(result.summary.calls)} | ` +
    `${micros(result.summary.medianUs)} | ${micros(result.summary.p90Us)} | ` +
    `${ratio(result.ratio)} | ${result.summary.roundMediansUs.map(micros).join(" / ")} |`;
  const checks = Object.entries(report.checks)
    .map(([key, value]) => `${key}: ${value}`)
    .join("; ");
  const headline = report.ratioEntrance100kTo1;
  return [
    `## ${report.benchmark}`,
    "",
    `${report.date}; ${environment}`,
    `command: \`${report.command}\` (${Math.round(report.seconds)} s)`,
    "",
    "| case | users | calls | median µs | p90 µs | ratio to 1 user | median by round µs |",
    "|---|--:|--:|--:|--:|--:|--:|",
    ...report.cases.map(row),
    "",
    `checks: ${checks}`,
    `other ratios: ${Object.entries(report.ratios)
      .map(([name, value]) => `${name} ${ratio(value)}`)
      .join("; ")}`,
    `ratio entrance 100k/1 by round: ${report.ratioEntrance100kTo1ByRound
      .map((value) => value.toFixed(2))
      .join(" / ")}`,
    `aim: Entrance at 100,000 users within ${report.aim.toFixed(2)}× of 1 user: ` +
      `${headline <= report.aim ? "met" : "NOT met"}`,
    `aim: a random user of 100,000 within ${report.aim.toFixed(2)}× of 1 user: ` +
      `${report.ratioRandom100kTo1 <= report.aim ? "met" : "NOT met"} (${report.ratioRandom100kTo1.toFixed(2)})`,
    `ratio entrance 100k/1: ${headline.toFixed(2)}`,
    "",
  ].join("\n");
}

/** Writes a report as JSON (creating bench/results/). */
export async function writeReport(path: string, report: object): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
