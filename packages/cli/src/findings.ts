/** What `doctor` reports: one finding per thing checked, each with a stable code. */

/** How much a finding matters: an `error` makes `doctor` exit with status 1. */
export type Severity = "ok" | "info" | "warning" | "error";

/** The part of the configuration a finding is about. */
export type CheckName =
  | "environment"
  | "configuration"
  | "secret"
  | "redirect-uri"
  | "credential"
  | "authority"
  | "clock"
  | "token"
  | "database"
  | "redis";

/** One thing `doctor` found. Never holds a secret, a token or a password. */
export interface Finding {
  readonly check: CheckName;
  /** Stable: scripts may match on it; docs/doctor.md has a section for each. */
  readonly code: string;
  readonly severity: Severity;
  /** What was found, in one or two sentences. */
  readonly message: string;
  /** What to do about it; absent for findings that need nothing done. */
  readonly fix?: string;
  /** The docs section for the code. */
  readonly docs: string;
}

/** Where the docs of every finding code live, relative to the Entrance repository. */
export const DOCS_PAGE = "docs/doctor.md";

/** Builds a finding, with the docs link its code implies. */
export function finding(
  check: CheckName,
  code: string,
  severity: Severity,
  message: string,
  fix?: string,
): Finding {
  return {
    check,
    code,
    severity,
    message,
    ...(fix === undefined ? {} : { fix }),
    docs: `${DOCS_PAGE}#${code}`,
  };
}

/** Whether any finding is an error (the exit status for CI). */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

const MARK: Record<Severity, string> = { ok: "ok  ", info: "info", warning: "warn", error: "FAIL" };

/** The findings as text for people: one block each, then a summary line. */
export function renderText(findings: readonly Finding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${MARK[f.severity]}  ${f.check}: ${f.message} [${f.code}]`);
    if (f.fix) lines.push(`      fix: ${f.fix}`);
    if (f.severity === "error" || f.severity === "warning") lines.push(`      see: ${f.docs}`);
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  lines.push(
    "",
    `${count("error")} error(s), ${count("warning")} warning(s), ${count("ok")} ok` +
      (count("error") > 0 ? ": fix the errors above before signing anyone in." : "."),
  );
  return `${lines.join("\n")}\n`;
}

/** The findings as one JSON document for programs. */
export function renderJson(findings: readonly Finding[]): string {
  return `${JSON.stringify({ ok: !hasErrors(findings), findings }, null, 2)}\n`;
}
