export interface FoundToken {
  readonly kind: string;
  readonly line: number;
  readonly preview: string;
}
export function findTokens(text: string): FoundToken[];
