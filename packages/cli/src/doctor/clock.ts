import { type Finding, finding } from "../findings.js";

/** A difference below this is the network's and the header's rounding, not a clock problem. */
const NOTICEABLE_SECONDS = 30;

/** One reading of the identity provider's clock. */
export interface ClockReading {
  /** What was read: "Date header", "token iat". */
  readonly source: string;
  /** The provider's time, in epoch ms. */
  readonly theirs: number;
  /** This machine's time when it was read, in epoch ms. */
  readonly ours: number;
}

/**
 * This machine's clock against the identity provider's: from the Date header of its metadata
 * answer and, when a token was issued, the token's `iat`. Tokens carry times Entrance checks
 * against its own clock with `clockSkew` seconds of tolerance (ENTRANCE config, 300 by
 * default): beyond that, sign-ins fail with "token not yet valid" or "expired".
 */
export function checkClock(readings: readonly ClockReading[], toleranceSeconds: number): Finding[] {
  if (readings.length === 0) {
    return [
      finding(
        "clock",
        "clock_unknown",
        "info",
        "the identity provider's time could not be read (no Date header, no token), so the clock was not compared.",
      ),
    ];
  }
  // The worst reading counts: one wrong clock is enough to refuse tokens.
  const worst = readings
    .map((r) => ({ ...r, skew: (r.theirs - r.ours) / 1000 }))
    .reduce((a, b) => (Math.abs(b.skew) > Math.abs(a.skew) ? b : a));
  const seconds = Math.round(Math.abs(worst.skew));
  const direction = worst.skew > 0 ? "behind" : "ahead of";
  const fix =
    "synchronize this machine's clock (NTP: `timedatectl set-ntp true`, chrony, or the host's time service)";
  if (seconds > toleranceSeconds) {
    return [
      finding(
        "clock",
        "clock_skew",
        "error",
        `this machine's clock is ${seconds} s ${direction} the identity provider's (${worst.source}), more than the ${toleranceSeconds} s Entrance tolerates: tokens will be refused as not yet valid or expired.`,
        fix,
      ),
    ];
  }
  if (seconds > NOTICEABLE_SECONDS) {
    return [
      finding(
        "clock",
        "clock_drift",
        "warning",
        `this machine's clock is ${seconds} s ${direction} the identity provider's (${worst.source}): within the ${toleranceSeconds} s tolerated, but drifting.`,
        fix,
      ),
    ];
  }
  return [
    finding(
      "clock",
      "clock_ok",
      "ok",
      `this machine's clock agrees with the identity provider's (${readings.map((r) => r.source).join(", ")}; within ${NOTICEABLE_SECONDS} s).`,
    ),
  ];
}

/** The reading of an HTTP Date header, or undefined when it is not a date. */
export function dateHeaderReading(header: string, receivedAt: number): ClockReading | undefined {
  const theirs = Date.parse(header);
  if (Number.isNaN(theirs)) return undefined;
  // The header has whole seconds: compare with ours rounded down the same way.
  return { source: "Date header", theirs, ours: Math.floor(receivedAt / 1000) * 1000 };
}
