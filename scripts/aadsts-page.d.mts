export const PAGE: string;
export const START: string;
export const END: string;
export function explainedCodes(source: string): number[];
export function deadGrantCodes(source: string): number[];
export function renderSection(
  codes: readonly number[],
  deadGrant: readonly number[],
  explain?: (
    code: number,
    context: { redirectUri: string; clientId: string },
  ) => { meaning: string; fix: string } | undefined,
): string;
export function replaceSection(document: string, section: string): string;
export function expectedPage(root?: string): string;
