import { type Finding, finding } from "../findings.js";

/** Entrance's floor for each ENTRANCE_SECRET (the configuration refuses shorter ones). */
const MIN_BYTES = 32;
/** Below this estimate a secret could be guessed, however long it is. */
const MIN_BITS = 128;
const FIX =
  "set ENTRANCE_SECRET to 32 random bytes, e.g. `openssl rand -base64 32`; to replace one without signing anyone out, put the new one first: ENTRANCE_SECRET=new,old";

/**
 * Whether each ENTRANCE_SECRET (comma-separated, newest first) is strong enough: at least 32 bytes
 * and not guessable — a repeated pattern, few distinct characters, or a well-known placeholder.
 * The secrets themselves are never printed, only their position.
 */
export function checkSecrets(value: string | undefined): Finding[] {
  if (value === undefined || value.trim() === "") {
    return [finding("secret", "secret_missing", "error", "ENTRANCE_SECRET is not set.", FIX)];
  }
  const secrets = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const problems: string[] = [];
  secrets.forEach((secret, index) => {
    const which = secrets.length > 1 ? `secret ${index + 1} of ${secrets.length}` : "it";
    const why = weakness(secret);
    if (why) problems.push(`${which} ${why}`);
  });
  if (problems.length > 0) {
    return [
      finding(
        "secret",
        "secret_weak",
        "error",
        `ENTRANCE_SECRET is not strong enough: ${problems.join("; ")}.`,
        FIX,
      ),
    ];
  }
  return [
    finding(
      "secret",
      "secret_strong",
      "ok",
      `ENTRANCE_SECRET: ${secrets.length === 1 ? "one secret" : `${secrets.length} secrets (the first encrypts, the others still decrypt)`}, each long and random-looking.`,
    ),
  ];
}

/** Why a secret is weak, or undefined. */
function weakness(secret: string): string | undefined {
  const bytes = Buffer.byteLength(secret);
  if (bytes < MIN_BYTES) return `is ${bytes} bytes, fewer than ${MIN_BYTES}`;
  if (/^(?:change[-_ ]?me|secret|password|example|placeholder|your[-_ ]?secret)/i.test(secret)) {
    return "looks like a placeholder";
  }
  const period = repeatingPeriod(secret);
  if (period !== undefined) return `repeats a pattern of ${period} character(s)`;
  const bits = estimatedBits(secret);
  if (bits < MIN_BITS)
    return `has about ${Math.floor(bits)} bits of randomness, fewer than ${MIN_BITS}`;
  return undefined;
}

/** The length of the unit a string repeats (at least twice), or undefined. */
function repeatingPeriod(text: string): number | undefined {
  for (let period = 1; period <= text.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < text.length; i++) {
      if (text[i] !== text[i - period]) {
        repeats = false;
        break;
      }
    }
    if (repeats) return period;
  }
  return undefined;
}

/**
 * A generous estimate of a secret's randomness: its length times the bits of the alphabet it
 * draws from (digits, hex, letters, base64…), counting only distinct characters when fewer.
 * `openssl rand -base64 32` gives about 260; "aaaa…" gives 0.
 */
function estimatedBits(secret: string): number {
  const distinct = new Set(secret).size;
  let alphabet = 0;
  if (/[0-9]/.test(secret)) alphabet += 10;
  if (/[a-z]/.test(secret)) alphabet += 26;
  if (/[A-Z]/.test(secret)) alphabet += 26;
  if (/[^0-9a-zA-Z]/.test(secret)) alphabet += 32;
  const symbols = Math.max(1, Math.min(alphabet, distinct));
  return [...secret].length * Math.log2(symbols);
}
