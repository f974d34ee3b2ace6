/**
 * Everything the process logs through `console` while a suite runs, kept for a token scan. The
 * spies pass each call through, so the lines still reach the console and `npm test`'s own scan.
 */
import { vi } from "vitest";

const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

export interface CapturedLogs {
  /** Each console call so far, its arguments as text. */
  readonly lines: string[];
  /** Puts the console back as it was. */
  stop(): void;
}

export function captureLogs(): CapturedLogs {
  const spies = METHODS.map((method) => vi.spyOn(globalThis.console, method));
  return {
    get lines() {
      return spies.flatMap((spy) =>
        spy.mock.calls.map((args: unknown[]) => args.map(asText).join(" ")),
      );
    },
    stop() {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ""}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
