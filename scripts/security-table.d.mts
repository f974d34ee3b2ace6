export interface SecurityCase {
  readonly file: string;
  readonly area: string;
  readonly name: string;
  readonly result: "passed" | "failed" | "skipped";
}
export interface VitestJsonReport {
  readonly testResults?: readonly {
    readonly name: string;
    readonly assertionResults?: readonly {
      readonly ancestorTitles?: readonly string[];
      readonly title: string;
      readonly status: string;
    }[];
  }[];
}
export const START: string;
export const END: string;
export const REFRESH: string;
export function securityCases(report: VitestJsonReport, root: string): SecurityCase[];
export function renderSecurityTable(cases: readonly SecurityCase[]): string;
export function replaceSection(document: string, section: string): string;
export function compareWithReport(
  document: string,
  report: VitestJsonReport,
  root: string,
  options?: { requireAll?: boolean },
): { ok: boolean; tolerated: boolean; skipped: number };
export function staleMessage(docPath: string): string;
