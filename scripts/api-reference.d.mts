export const API_DIR: string;
export interface PublishedPackage {
  readonly name: string;
  readonly dir: string;
  readonly entries: readonly { readonly subpath: string; readonly types: string }[];
}
export interface ExportEntry {
  readonly name: string;
  readonly kind: string;
  readonly summary: string;
  readonly from?: string;
}
export function publishedPackages(root?: string): PublishedPackage[];
export function summary(doc: string): string;
export function exportsOf(root: string, file: string): ExportEntry[];
export function renderPages(root?: string): Map<string, string>;
export function stalePages(root?: string): string[];
