export type PackageKind = "core" | "emulator" | "adapter" | "store" | "admin" | "test-support";
export const KINDS: Readonly<Record<string, PackageKind>>;
export const FRAMEWORKS: Readonly<Record<string, readonly string[]>>;
export interface FoundImport {
  readonly specifier: string;
  readonly dynamic: boolean;
  readonly line: number;
}
export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly rule: string;
}
export function importsOf(text: string): FoundImport[];
export function findViolations(root: string): Violation[];
