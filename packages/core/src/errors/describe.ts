/** An error for the log: message, code and cause chain, never request data. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const e = current as { name?: string; code?: string; message?: string; cause?: unknown };
    parts.push(
      `${e.name ?? "Error"}${e.code ? ` [${e.code}]` : ""}: ${e.message ?? String(current)}`,
    );
    current = e.cause;
  }
  return parts.join("\n  caused by ");
}

/** The first line of a message from Entra or MSAL, at most `max` characters (their traces follow). */
export function firstLine(text: string | null | undefined, max = 500): string {
  return (text ?? "").split(/\r?\n/)[0]?.slice(0, max) ?? "";
}
