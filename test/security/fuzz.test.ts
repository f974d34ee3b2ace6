/**
 * Property-based fuzzing of what a browser controls: the Cookie and Accept headers, returnTo,
 * and every parameter of the callback, login and front-channel logout routes. Thousands of
 * generated requests per run: never a 5xx, never a throw, never a redirect off the site or to
 * anywhere but Entra, and no store growth beyond the documented bounds.
 */

import {
  createMemoryStore,
  type Entrance,
  type EntranceStore,
  prefersJson,
  safeReturnTo,
} from "@entrance/core";
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCookie } from "../../packages/core/src/http/cookies.js";
import { APP_BASE, entranceFor } from "../../packages/core/test/support/emulated.js";
import { fuzzRuns } from "./support/fuzz.js";

/** Text a header may carry (printable ASCII; fetch refuses CR, LF and NUL in header values). */
const headerText = fc.string({ unit: "grapheme-ascii", maxLength: 300 });
/** Anything a query parameter can hold, Unicode and control characters included. */
const paramText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", "/", "//evil.example", "/\\evil.example", "https://evil.example", "%00"),
);

let emulator: RunningEmulator;
let store: EntranceStore;
let entrance: Entrance;

beforeAll(async () => {
  emulator = await startEmulator();
  store = createMemoryStore();
  entrance = entranceFor(emulator, store);
});

afterAll(async () => {
  await emulator?.stop();
});

/** A request to one of Entrance's routes with generated parameters and headers. */
function requestTo(
  path: string,
  params: Record<string, string | undefined>,
  headers: { cookie?: string | undefined; accept?: string | undefined },
): Request {
  const url = new URL(path, APP_BASE);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  const sent = new Headers();
  if (headers.cookie !== undefined) sent.set("cookie", headers.cookie);
  if (headers.accept !== undefined) sent.set("accept", headers.accept);
  return new Request(url, { headers: sent });
}

const usersStored = async () => (await store.users.list({ limit: 1, offset: 0 })).total;

describe("Fuzzing", () => {
  it("any Cookie header reads as no cookie or a well-formed value, never a decoded surprise", () => {
    fc.assert(
      fc.property(
        headerText,
        fc.constantFrom("entrance-session", "__Host-entrance-session"),
        (header, name) => {
          const value = readCookie(header, name);
          expect(value === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(value)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("any Accept header is negotiated to HTML or JSON without an error", () => {
    fc.assert(
      fc.property(headerText, (accept) => {
        expect(typeof prefersJson(new Headers({ accept }))).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });

  it("any returnTo becomes a path on the app's own origin", () => {
    fc.assert(
      fc.property(paramText, (value) => {
        const path = safeReturnTo(value, APP_BASE);
        expect(path.startsWith("/")).toBe(true);
        expect(new URL(path, APP_BASE).origin).toBe(APP_BASE);
      }),
      { numRuns: 3000 },
    );
  });

  it("the callback answers any parameters and cookies with a 4xx or a redirect, storing no one and few audit rows", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            state: paramText,
            code: paramText,
            error: paramText,
            error_description: paramText,
            id_token: paramText,
            session_state: paramText,
          },
          { requiredKeys: [] },
        ),
        fc.option(headerText, { nil: undefined }),
        fc.option(headerText, { nil: undefined }),
        async (params, cookie, accept) => {
          const response = await entrance.handle(
            requestTo("/auth/callback", params, { cookie, accept }),
            { ip: "203.0.113.7" },
          );
          expect(response?.status).toBeGreaterThanOrEqual(300);
          expect(response?.status).toBeLessThan(500);
          const location = response?.headers.get("location");
          if (location) expect(new URL(location, APP_BASE).origin).toBe(APP_BASE);
        },
      ),
      fuzzRuns(1000),
    );
    expect(await usersStored()).toBe(0);
    // Failures are folded per address and minute: a flood leaves a handful of audit rows.
    expect((await store.audit.list({ limit: 1, offset: 0 })).total).toBeLessThan(20);
  });

  it("the login route sends only to Entra's authorize endpoint or back to the app, and its pending sign-ins stay bounded per address", async () => {
    // Entra's pages: the emulator serves them on http for the browser, its API on https.
    const entra = [new URL(emulator.urls.http).origin, new URL(emulator.urls.https).origin];
    let started = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { returnTo: paramText, scopes: paramText, claims: paramText, prompt: paramText },
          { requiredKeys: [] },
        ),
        fc.option(headerText, { nil: undefined }),
        async (params, cookie) => {
          const response = await entrance.handle(requestTo("/auth/login", params, { cookie }), {
            ip: "198.51.100.9",
          });
          const status = response?.status ?? 0;
          expect(status < 500 || status === 503).toBe(true);
          const location = response?.headers.get("location");
          if (location) {
            const origin = new URL(location, APP_BASE).origin;
            expect([...entra, APP_BASE]).toContain(origin);
            if (origin !== APP_BASE) started++;
          }
        },
      ),
      fuzzRuns(300),
    );
    // One address starts at most pendingSignIns.perAddress (60) sign-ins: the rest got a 429.
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThanOrEqual(60);
    expect(await usersStored()).toBe(0);
  });

  it("front-channel logout answers any sid and issuer without a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(paramText, fc.option(paramText, { nil: undefined }), async (sid, iss) => {
        const response = await entrance.handle(
          requestTo("/auth/frontchannel-logout", { sid, iss }, {}),
          { ip: "192.0.2.1" },
        );
        expect(response?.status).toBeLessThan(500);
      }),
      fuzzRuns(1000),
    );
  });
});
