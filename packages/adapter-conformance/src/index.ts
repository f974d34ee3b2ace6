/**
 * @entrance/adapter-conformance (private, for tests): the behavioural tests every Entrance
 * framework adapter passes — sign-in (redirect and popup), sign-out with Entra's end-session hop,
 * front-channel logout, each guard's answers, consent and back, requireBearer's caller and
 * refusals, `no-store`, security headers, the admin panel — over real HTTP against the emulator. An adapter's test file gives a
 * {@link AdapterHarness} that starts its app; call {@link adapterConformance} at the top level.
 * @module
 */
import { afterAll, beforeAll, describe } from "vitest";
import { bearerCases } from "./bearer.js";
import { guardCases } from "./guards.js";
import type { AdapterHarness } from "./harness.js";
import { pageCases } from "./pages.js";
import { type Running, startBoth } from "./setup.js";
import { signInCases } from "./sign-in.js";

export { Browser } from "./browser.js";
export {
  type AdapterHarness,
  BEARER,
  GUARDS,
  type GuardName,
  REQUIRES,
  type RunningApp,
} from "./harness.js";
export { reverseProxyConformance } from "./proxy.js";

/**
 * Defines the suite for one adapter: one emulator and one app (started by `harness`) for all of
 * its tests, each test with browsers of its own.
 *
 * @example
 * adapterConformance("Express", { start: async (options) => … });
 */
export function adapterConformance(name: string, harness: AdapterHarness): void {
  describe(`adapter conformance: ${name}`, () => {
    let running: Running | undefined;
    beforeAll(async () => {
      running = await startBoth(harness);
    });
    afterAll(async () => {
      await running?.app.stop();
      await running?.emulator.stop();
    });
    const t = (): Running => {
      if (!running) throw new Error("the app did not start");
      return running;
    };
    signInCases(t);
    guardCases(t);
    bearerCases(t);
    pageCases(t);
  });
}
