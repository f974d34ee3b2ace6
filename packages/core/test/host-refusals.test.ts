import { describe, expect, it } from "vitest";
import { HostRefusals } from "../src/http/host-refusals.js";
import { RedactingLogger } from "../src/log/logger.js";

/** The warn lines a HostRefusals wrote, on a clock the test moves. */
function refusals() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  let now = 1_000_000;
  const log = new RedactingLogger({
    warn: (fields, message) => lines.push({ fields: { ...fields }, message }),
    error: () => {},
  });
  const noted = new HostRefusals(log, () => now);
  const note = (host: string) => noted.note(new Headers({ host }));
  return { lines, note, advance: (ms: number) => (now += ms) };
}

describe("the log of refused hosts", () => {
  it("logs each name once per window, and a flood of names silences it for that window only", () => {
    const { lines, note, advance } = refusals();
    note("proxy.internal:8080");
    note("proxy.internal:8080");
    expect(lines).toHaveLength(1);
    expect(lines[0]?.fields).toMatchObject({
      event: "host_not_allowed",
      host: "proxy.internal:8080",
    });

    for (let i = 0; i < 100; i++) note(`junk-${i}.example`);
    expect(lines).toHaveLength(33);
    expect(lines.at(-1)?.message).toMatch(/no further host is logged for 10 minutes/);
    note("real-proxy.internal");
    expect(lines).toHaveLength(33);

    // Ten minutes on, a real misconfiguration shows itself again.
    advance(10 * 60_000);
    note("real-proxy.internal");
    expect(lines).toHaveLength(34);
    expect(lines.at(-1)?.fields).toMatchObject({ host: "real-proxy.internal" });
  });

  it("cuts a long name short", () => {
    const { lines, note } = refusals();
    note(`${"a".repeat(5000)}.example`);
    expect(String(lines[0]?.fields.host).length).toBe(260);
  });
});
