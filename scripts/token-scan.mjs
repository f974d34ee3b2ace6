/**
 * Finds things that look like tokens in text: JWTs (access and ID tokens), and the emulator's
 * authorization codes and refresh tokens ("1." followed by 64+ base64url characters). Used to
 * prove that nothing the test suite logs carries a token.
 */
const PATTERNS = [
  { kind: "JWT", pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: "refresh token or code", pattern: /(?<![A-Za-z0-9_.-])1\.[A-Za-z0-9_-]{64,}/g },
];

/** Each match with its kind and line number; the value itself is shortened so it is not re-leaked. */
export function findTokens(text) {
  const found = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    for (const { kind, pattern } of PATTERNS) {
      for (const match of line.matchAll(pattern)) {
        found.push({ kind, line: index + 1, preview: `${match[0].slice(0, 12)}…` });
      }
    }
  });
  return found;
}
