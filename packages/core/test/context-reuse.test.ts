/**
 * While a session is cached, every request's context shows the app the same user object: the
 * per-request path makes no copies. A benchmark profile found the user of an untrusted tenant
 * (roles and groups stripped) copied, and their permissions worked out again, on every request.
 */
import { type RunningEmulator, startEmulator } from "@entrance/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EntranceContext } from "../src/index.js";
import { APP_BASE, signedInAs } from "./support/emulated.js";

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
});

describe("the context of a cached session", () => {
  for (const [name, trustedTenants] of [
    ["a trusted tenant", undefined],
    ["an untrusted tenant", [] as string[]],
  ] as const) {
    it(`is the same user object on every request for a user of ${name}`, async () => {
      const { entrance, jar } = await signedInAs(
        emulator,
        "megan@contoso.onmicrosoft.com",
        trustedTenants ? { authorization: { trustedTenants } } : {},
      );
      const contexts: EntranceContext[] = [];
      for (let i = 0; i < 3; i++) {
        const request = new Request(`${APP_BASE}/page`, { headers: { cookie: jar.header } });
        contexts.push(entrance.contextNow(request) ?? (await entrance.context(request)));
      }
      const [, second, third] = contexts;
      expect(second?.user?.displayName).toBe("Megan Bowen");
      expect(third?.user).toBe(second?.user);
      if (trustedTenants) expect(third?.user?.roles).toEqual([]);
    });
  }
});
