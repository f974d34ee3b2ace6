/**
 * Entrance's structured log. An app passes any logger of pino's shape — fields first, message
 * second — which `console` also accepts; every line Entrance writes goes through
 * {@link RedactingLogger}, so no token, authorization code, secret or cookie reaches it, whatever
 * an error message from a driver, MSAL or Entra happened to quote.
 */
import { describeError } from "../errors/describe.js";
import { findEntranceError } from "../errors/entrance-error.js";

/** What one log line carries besides its message: a stable `event` name and plain values. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where Entrance writes its log: pino, `console`, or anything with these methods taking
 * `(fields, message)`. `debug` and `info` are optional: a logger with only `warn` and `error`
 * gets failures and nothing else.
 *
 * @example
 * ```ts
 * import pino from "pino";
 * createEntrance({ store, logger: pino() });     // JSON lines: {"event":"sign_in",…,"msg":…}
 * createEntrance({ store, logger: console });    // the default
 * ```
 */
export interface Logger {
  error(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  info?(fields: LogFields, message: string): void;
  debug?(fields: LogFields, message: string): void;
}

const REDACTED = "[redacted]";

/** Field names whose value is a credential whatever it looks like. */
const SECRET_KEYS =
  /^(?:(?:access|id|refresh)_?token|token|code|(?:client_?)?secret|client_?assertion|assertion|password|cookie|set-cookie|authorization)$/i;

/**
 * Credentials as they appear inside text: JWTs (access and ID tokens, client assertions), Entra's
 * refresh tokens and authorization codes (`1.` or `0.` and a long base64url run), `Bearer …`, and
 * the values of query or form parameters and cookies that carry one.
 */
const SECRET_TEXT: readonly RegExp[] = [
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /(?<![A-Za-z0-9_.-])[01]\.[A-Za-z0-9_-]{40,}[A-Za-z0-9_.-]*/g,
  // The group is what stays: the scheme, parameter or cookie name, so a reader sees what was cut.
  // Long enough to be a credential, so that prose ("bearer tokens cannot …") stays readable.
  /\b([Bb]earer\s+)[A-Za-z0-9._~+/=-]{20,}/g,
  /\b(Basic\s+)[A-Za-z0-9+/=]{8,}/g,
  /\b((?:access_token|id_token|refresh_token|code|client_secret|client_assertion|assertion|password|state|nonce|code_verifier)=)[^&\s"']+/gi,
  /\b((?:__Host-)?entrance-[a-z-]+=)[^;\s"']+/g,
];

/** Text with every credential in it replaced by `[redacted]`. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_TEXT) {
    // Without a group, the second argument is the match's offset (a number).
    out = out.replace(pattern, (_match, kept: unknown) =>
      typeof kept === "string" ? `${kept}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/** A field's value made safe to log: errors described, text redacted, credentials by name dropped. */
function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactText(value);
  if (value instanceof Error) {
    const code = findEntranceError(value)?.code;
    return { ...(code ? { code } : {}), message: redactText(describeError(value)) };
  }
  if (value === null || typeof value !== "object") return value;
  if (depth >= 3) return "[object]";
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return redactFields(value as LogFields, depth + 1);
}

function redactFields(fields: LogFields, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_KEYS.test(key) ? REDACTED : redactValue(value, depth);
  }
  return out;
}

/** The app's logger behind redaction, with every level present (missing ones do nothing). */
export class RedactingLogger implements Required<Logger> {
  constructor(private readonly target: Logger) {}

  error(fields: LogFields, message: string): void {
    this.target.error(redactFields(fields), redactText(message));
  }

  warn(fields: LogFields, message: string): void {
    this.target.warn(redactFields(fields), redactText(message));
  }

  info(fields: LogFields, message: string): void {
    // A level the app left out costs nothing: the fields are not even redacted.
    this.target.info?.(redactFields(fields), redactText(message));
  }

  debug(fields: LogFields, message: string): void {
    this.target.debug?.(redactFields(fields), redactText(message));
  }
}
