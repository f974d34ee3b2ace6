import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { median, type Run } from "./load.js";

/** One server's figures: the median of its rounds, and the rounds. */
export interface ServerFigures {
  readonly label: string;
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /** (fastest round − slowest round) / median: how steady the machine was. */
  readonly spread: number;
  readonly rounds: readonly Run[];
}

export interface Report {
  readonly benchmark: string;
  readonly date: string;
  readonly command: string;
  readonly environment: Readonly<Record<string, string | number>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly entrance: ServerFigures;
  readonly bare: ServerFigures;
  /** entrance / bare, requests per second. */
  readonly ratio: number;
  /** The same for each pair of neighbouring rounds: how far the ratio itself moved. */
  readonly ratioByRound: readonly number[];
}

/** Sums up one server's rounds. */
export function figures(label: string, rounds: readonly Run[]): ServerFigures {
  const sum = (pick: (run: Run) => number) => rounds.reduce((total, run) => total + pick(run), 0);
  const rates = rounds.map((run) => run.requestsPerSecond);
  const requestsPerSecond = median(rates);
  return {
    label,
    requestsPerSecond,
    latencyP50Ms: median(rounds.map((run) => run.latencyP50Ms)),
    latencyP99Ms: median(rounds.map((run) => run.latencyP99Ms)),
    non2xx: sum((run) => run.non2xx),
    errors: sum((run) => run.errors + run.mismatches),
    spread: (Math.max(...rates) - Math.min(...rates)) / requestsPerSecond,
    rounds,
  };
}

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** The report as markdown: what ran where, the table, and the ratio as the last line. */
export function toMarkdown(report: Report): string {
  const row = (server: ServerFigures) =>
    `| ${server.label} | ${number.format(server.requestsPerSecond)} | ` +
    `${server.rounds.map((run) => number.format(run.requestsPerSecond)).join(" / ")} | ` +
    `${Math.round(server.spread * 100)}% | ` +
    `${server.latencyP50Ms} ms | ${server.latencyP99Ms} ms | ${server.non2xx} | ${server.errors} |`;
  const environment = Object.entries(report.environment)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
  return [
    `## ${report.benchmark}`,
    "",
    `${report.date}; ${environment}`,
    `command: \`${report.command}\``,
    "",
    "| server | req/s (median) | req/s by round | spread | latency p50 | latency p99 | non-2xx | errors |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
    row(report.entrance),
    row(report.bare),
    "",
    `ratio by pair of rounds: ${report.ratioByRound.map((ratio) => ratio.toFixed(2)).join(" / ")}`,
    `ratio entrance/bare-express: ${report.ratio.toFixed(2)}`,
    "",
  ].join("\n");
}

export async function writeJson(path: string, report: Report): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
