export interface Example {
  readonly line: number;
  readonly lang: "ts" | "tsx" | "js";
  readonly code: string;
  readonly mode: "check" | "skip";
  readonly reason?: string;
  readonly file?: string;
  readonly preamble: string;
  readonly preambleLine: number;
}
export function documentationFiles(root?: string): string[];
export function extractExamples(markdown: string, path?: string): Example[];
export function mapDiagnostics(
  output: string,
  origins: Map<string, { page: string; lines: (number | null)[] }>,
): { where: string; message: string }[];
