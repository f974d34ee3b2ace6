import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Variant } from "../fleet/variants.js";
import type { Measured, Rounds } from "../load/measure.js";
import { median, type Spread, spread } from "./stats.js";

/** One variant's figures over the measured rounds. */
export interface VariantFigures {
  readonly id: string;
  readonly label: string;
  /** Each round's answers / measured seconds. */
  readonly requestsPerSecondByRound: readonly number[];
  readonly requestsPerSecond: Spread;
  /** req/s / the baseline's req/s in the same round; null for the baseline itself. */
  readonly ratioByRound: readonly number[] | null;
  readonly ratio: Spread | null;
  /** Medians over the rounds. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Median over the rounds of the server's CPU time / wall time: near 1 when saturated. */
  readonly serverCpuShare: number;
  /**
   * Median over the rounds of the server's CPU time per answer, in microseconds. It moves less
   * than req/s when something else runs on the machine (only the server's own time counts), so
   * it is the figure to compare while working on a shared machine.
   */
  readonly cpuMicrosPerAnswer: number;
  /** The baseline's CPU per answer / this variant's, round by round; null for the baseline. */
  readonly cpuRatio: Spread | null;
  /** Measured runs thrown away and run again because the server did not get its CPU. */
  readonly repeats: number;
  /** Rounds (1-based) in which the server still had less than its CPU: take with care. */
  readonly shortRounds: readonly number[];
  /**
   * Answers checked, the unmeasured load included; all of them were right, or there would be no
   * report.
   */
  readonly answersChecked: number;
  readonly wrong: number;
  readonly errors: number;
}

export interface PageReport {
  readonly benchmark: string;
  readonly date: string;
  readonly command: string;
  readonly environment: Readonly<Record<string, string | number>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly variants: readonly VariantFigures[];
  /** See MeasureOptions.minServerCpuShare. */
  readonly minServerCpuShare: number;
  /** Said in the output too: e.g. that autocannon stood in for wrk. */
  readonly notes: readonly string[];
  /**
   * Each group's servers ran at the same time on their shared core (Rounds.together): the rates
   * are answers per second of each server's own CPU time, not per second of the clock.
   */
  readonly together?: boolean;
}

/** Sums up every variant's rounds; `baseline` is the variant the ratios are to. */
export function summarize(
  variants: readonly Variant[],
  baseline: Variant,
  measured: Rounds,
  minServerCpuShare: number,
): VariantFigures[] {
  const cpuPerAnswer = (round: Rounds["rounds"][number], id: string) => {
    const run = round.get(id);
    return run ? (run.serverCpuShare * run.result.seconds * 1e6) / run.result.requests : Number.NaN;
  };
  // Servers measured together shared one core: what each would answer with the core to itself
  // is its answers per second of its own CPU time.
  const rate = (round: Rounds["rounds"][number], id: string) =>
    measured.together
      ? 1e6 / cpuPerAnswer(round, id)
      : (round.get(id)?.result.requestsPerSecond ?? Number.NaN);
  // The share of the core a run had: its own, or, for servers run together, theirs in all.
  const coreShare = (round: Rounds["rounds"][number] | undefined, run: Measured) =>
    measured.together
      ? variants.reduce((sum, v) => sum + (round?.get(v.id)?.serverCpuShare ?? 0), 0)
      : run.serverCpuShare;
  return variants.map((variant) => {
    const runs = measured.rounds.map((round) => round.get(variant.id));
    const all = [measured.warmUp.get(variant.id), ...runs].flatMap((run) => (run ? [run] : []));
    const byRound = measured.rounds.map((round) => rate(round, variant.id));
    const ratios =
      variant.id === baseline.id
        ? null
        : measured.rounds.map((round) => rate(round, variant.id) / rate(round, baseline.id));
    const results = runs.flatMap((run) => (run ? [run.result] : []));
    return {
      id: variant.id,
      label: variant.label,
      requestsPerSecondByRound: byRound,
      requestsPerSecond: spread(byRound),
      ratioByRound: ratios,
      ratio: ratios ? spread(ratios) : null,
      latencyP50Ms: median(results.map((result) => result.latencyP50Ms)),
      latencyP99Ms: median(results.map((result) => result.latencyP99Ms)),
      serverCpuShare: median(runs.flatMap((run) => (run ? [run.serverCpuShare] : []))),
      cpuMicrosPerAnswer: median(measured.rounds.map((round) => cpuPerAnswer(round, variant.id))),
      cpuRatio:
        variant.id === baseline.id
          ? null
          : spread(
              measured.rounds.map(
                (round) => cpuPerAnswer(round, baseline.id) / cpuPerAnswer(round, variant.id),
              ),
            ),
      repeats: runs.reduce((sum, run) => sum + (run?.repeats ?? 0), 0),
      shortRounds: runs.flatMap((run, i) =>
        run && coreShare(measured.rounds[i], run) < minServerCpuShare ? [i + 1] : [],
      ),
      answersChecked:
        all.reduce((sum, run) => sum + run.result.requests, 0) +
        (measured.rewarmAnswers.get(variant.id) ?? 0),
      wrong: all.reduce((sum, run) => sum + run.result.wrong, 0),
      errors: all.reduce((sum, run) => sum + run.result.errors, 0),
    };
  });
}

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
const ratioText = (value: Spread | null) =>
  value ? `${value.median.toFixed(2)} (${value.min.toFixed(2)}–${value.max.toFixed(2)})` : "1";

/** The report as markdown: where and how it ran, the table, the rounds. */
export function toMarkdown(report: PageReport): string {
  const environment = Object.entries(report.environment)
    .map(([key, value]) => `- ${key}: ${value}`)
    .join("\n");
  const settings = Object.entries(report.settings)
    .map(([key, value]) => `- ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join("\n");
  const rows = report.variants.map(
    (v) =>
      `| ${v.label} | ${whole.format(v.requestsPerSecond.median)} ` +
      `(${whole.format(v.requestsPerSecond.min)}–${whole.format(v.requestsPerSecond.max)}) | ` +
      `${ratioText(v.ratio)} | ${ms(v.latencyP50Ms)} | ${ms(v.latencyP99Ms)} | ` +
      `${Math.round(v.serverCpuShare * 100)}% | ${v.cpuMicrosPerAnswer.toFixed(1)} | ${ratioText(v.cpuRatio)} | ` +
      `${whole.format(v.answersChecked)} | ${v.wrong} | ${v.errors} |`,
  );
  const roundCount = report.variants[0]?.requestsPerSecondByRound.length ?? 0;
  const roundHeader = Array.from({ length: roundCount }, (_, i) => String(i + 1));
  // A round in which the server still did not get its CPU is marked with an asterisk.
  const byRound = report.variants.map(
    (v) =>
      `| ${v.id} | ${v.requestsPerSecondByRound
        .map((r, i) => `${whole.format(r)}${v.shortRounds.includes(i + 1) ? "*" : ""}`)
        .join(" | ")} | ` +
      `${v.ratioByRound ? v.ratioByRound.map((r) => r.toFixed(2)).join(" / ") : "–"} | ${v.repeats} |`,
  );
  return [
    `## ${report.benchmark}`,
    "",
    `${report.date}, \`${report.command}\``,
    "",
    environment,
    settings,
    ...report.notes.map((note) => `- **${note}**`),
    "",
    `| variant | ${report.together ? "answers per server CPU second" : "req/s"}, median (min–max) | ratio to bare, median (min–max) | latency p50 | latency p99 | server CPU | server CPU µs per answer | CPU ratio to bare | answers checked | wrong | errors |`,
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...rows,
    "",
    `${report.together ? "Answers per server CPU second" : "req/s"} by round, and ratio to bare by round:`,
    "",
    `| variant | ${roundHeader.join(" | ")} | ratio by round | runs repeated |`,
    `|---|${roundHeader.map(() => "--:|").join("")}---|--:|`,
    ...byRound,
    "",
    "CPU ratio to bare: the baseline's server CPU time per answer over this variant's, round by " +
      "round — what req/s would give if both servers had their core to themselves.",
    "",
    "Runs repeated: measured runs thrown away and run again because the server had less than " +
      `${Math.round(report.minServerCpuShare * 100)}% of its CPU (something else ran on its core); ` +
      "\\* : still short after the repeats.",
    "",
  ].join("\n");
}

export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
