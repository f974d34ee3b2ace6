/**
 * The log of requests refused with `host_not_allowed`. Without it an app behind a proxy it was
 * not told about (no `trustProxy`, a host missing from `allowedHosts`) answers every request 400
 * and its operator sees nothing. The names come from the request, so anyone can send any: each
 * distinct one is logged once, cut to a bounded length, up to a bounded count per window of time,
 * after which one line says that further names go unlogged until the window ends. A window, not
 * the process's life: whoever floods the log with made-up names silences it for minutes at most,
 * not until the app restarts.
 */
import type { RedactingLogger } from "../log/logger.js";

/** Distinct host names logged in a window before the log falls silent. */
const MAX_LOGGED = 32;
/** How long a window lasts. */
const WINDOW_MS = 10 * 60_000;
/** Longest name kept in a log line: a host name is at most 253 characters, a port 6 more. */
const MAX_LENGTH = 260;
/** The headers that name the host a request was sent to, directly or through a proxy. */
const HOST_HEADERS = ["host", "x-forwarded-host", "forwarded"] as const;

/** Logs, once per distinct set of names, the hosts of requests this app does not answer on. */
export class HostRefusals {
  readonly #seen = new Set<string>();
  #windowEnds = 0;

  constructor(
    private readonly logger: RedactingLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes a refused request by the host headers it came with. */
  note(headers: { get(name: string): string | null }): void {
    const now = this.now();
    if (now >= this.#windowEnds) {
      this.#seen.clear();
      this.#windowEnds = now + WINDOW_MS;
    }
    if (this.#seen.size > MAX_LOGGED) return;
    const named: Record<string, string> = {};
    for (const name of HOST_HEADERS) {
      const value = headers.get(name);
      if (value !== null) named[name] = value.slice(0, MAX_LENGTH);
    }
    const key = JSON.stringify(named);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    if (this.#seen.size > MAX_LOGGED) {
      this.logger.warn(
        { event: "host_not_allowed" },
        "entrance: more requests on hosts this app does not answer on; no further host is logged for 10 minutes",
      );
      return;
    }
    this.logger.warn(
      { event: "host_not_allowed", ...named },
      "entrance: refused a request on a host this app does not answer on (400 host_not_allowed); if the host is the app's, add it to ENTRANCE_ALLOWED_HOSTS, and if a proxy in front of the app forwards it, list the proxy in ENTRANCE_TRUST_PROXY",
    );
  }
}
