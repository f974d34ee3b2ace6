/** What the parts of the store conformance suite share: the store under test, a clock, fixtures. */
import { randomUUID } from "node:crypto";
import type { SessionRecord, UserRecord } from "@entrance/core";
import { expect } from "vitest";

/** A clock the suite moves forward by hand, so expiry is tested without waiting. */
export interface TestClock {
  readonly now: () => number;
  advance(milliseconds: number): void;
}

/** Starts at the real time (so stored values look real) and moves only when told. */
export function createTestClock(): TestClock {
  let current = Date.now();
  return {
    now: () => current,
    advance(milliseconds) {
      current += milliseconds;
    },
  };
}

/**
 * Handed to every part of the suite; `S` is the side the part tests (`SessionSideStore` or
 * `DirectoryStore`), so a part can reach nothing of the other side.
 */
export interface ConformanceContext<S> {
  /** The store opened for the suite (throws when it failed to open). */
  readonly store: () => S;
  /** Opens one more store like the suite's, for tests that close it. */
  readonly open: () => Promise<S>;
  /** The clock the store reads, or null when the store keeps time itself (e.g. Redis TTLs). */
  readonly clock: TestClock | null;
}

/** A key no other test uses, so tests stay independent when they share a store. */
export function unique(label: string): string {
  return `${label}-${randomUUID()}`;
}

/** A full user with every field set; override what the test is about. */
export function makeUser(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    tenantId: randomUUID(),
    objectId: randomUUID(),
    accountKind: "member",
    displayName: "Ada Lovelace",
    username: "ada@contoso.example",
    mail: "ada@contoso.example",
    roles: ["Entrance.Admin", "Reader"],
    groups: [randomUUID(), randomUUID()],
    groupsOverage: false,
    firstSignInAt: new Date("2024-02-29T12:34:56.789Z"),
    lastSignInAt: new Date("2025-01-02T03:04:05.006Z"),
    disabled: false,
    resolvedGroups: { ids: [randomUUID()], resolvedAt: new Date("2025-01-02T03:04:06.007Z") },
    ...overrides,
  };
}

/** A full session with every field set; override what the test is about. */
export function makeSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    idHash: unique("hash"),
    tenantId: randomUUID(),
    objectId: randomUUID(),
    sid: unique("sid"),
    createdAt: new Date("2025-03-04T05:06:07.008Z"),
    lastSeenAt: new Date("2025-03-04T05:16:07.009Z"),
    // Far ahead, so that a store expiring sessions by its own clock (Redis TTLs) keeps them.
    idleExpiresAt: new Date("2125-03-04T06:16:07.010Z"),
    absoluteExpiresAt: new Date("2125-03-05T05:06:07.011Z"),
    ip: "2001:db8::1",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chromium/140",
    ...overrides,
  };
}

/** Text that trips encodings and JSON: accents, CJK, RTL, emoji with joiners, combining marks. */
export const UNICODE_SAMPLES = [
  "Zoë Ångström",
  "山田 太郎",
  "مرحبا بالعالم",
  "🧑‍💻 👩🏽‍🔬 🏳️‍🌈",
  "e\u0301 (e + combining acute)",
  'quote " backslash \\ newline \n tab \t',
] as const;

/** Asserts that `actual` is a Uint8Array holding exactly the bytes of `expected`. */
export function expectBytes(actual: Uint8Array | null, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  const bytes = actual ?? new Uint8Array();
  expect(bytes.byteLength).toBe(expected.byteLength);
  const same = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(
    Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
  );
  expect(same, "stored bytes differ from the bytes put").toBe(true);
}

/** Resolves after `milliseconds` of real time. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
